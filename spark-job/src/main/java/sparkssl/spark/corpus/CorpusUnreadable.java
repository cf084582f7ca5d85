package sparkssl.spark.corpus;

/**
 * A corpus the command cannot read as asked: nothing at the path, no image column, a file that is not
 * a tar. Found on the driver before training, told in one line naming the file (exit code 2).
 */
public final class CorpusUnreadable extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public CorpusUnreadable(String message) {
    super(message);
  }
}
