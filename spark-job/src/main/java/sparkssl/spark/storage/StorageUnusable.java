package sparkssl.spark.storage;

/**
 * A path the run needs cannot be used, found before any Spark work. The message is one line that
 * names the option, the path (credentials redacted) and the problem; the exit code says whether the
 * settings are wrong ({@link #BAD_SETTINGS}: a rerun will fail the same way) or the environment
 * failed ({@link #ENVIRONMENT}: a rerun may succeed once the store is back).
 */
public final class StorageUnusable extends RuntimeException {
  private static final long serialVersionUID = 1L;
  public static final int ENVIRONMENT = 1;
  public static final int BAD_SETTINGS = 2;

  private final int exitCode;

  StorageUnusable(String message, int exitCode) {
    super(Secrets.scrub(message));
    this.exitCode = exitCode;
  }

  public int exitCode() {
    return exitCode;
  }
}
