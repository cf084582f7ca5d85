package sparkssl.augment;

/** A file that cannot become an image; {@link #kind()} says why, for counting skipped files. */
public final class ImageDecodeException extends Exception {
  /** Why a file was rejected. */
  public enum Kind { EMPTY, NOT_AN_IMAGE, CORRUPT, TOO_LARGE }

  private final Kind kind;

  public ImageDecodeException(Kind kind, String message) {
    super(message);
    this.kind = kind;
  }

  public ImageDecodeException(Kind kind, String message, Throwable cause) {
    super(message, cause);
    this.kind = kind;
  }

  public Kind kind() {
    return kind;
  }
}
