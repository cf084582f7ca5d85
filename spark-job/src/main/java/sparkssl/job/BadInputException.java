package sparkssl.job;

/**
 * The command line or what it names is at fault (a missing or empty corpus, an evaluation folder
 * without class subfolders, a run directory that holds another run): told in one line, exit code 2.
 */
final class BadInputException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  BadInputException(String message) {
    super(message);
  }
}
