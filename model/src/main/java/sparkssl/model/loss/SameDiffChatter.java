package sparkssl.model.loss;

import java.io.PrintStream;

/**
 * M2.1's {@code SameDiff.createGradFunction} prints "Added differentiated op ..." to stdout for every
 * op, unconditionally, each time a worker builds the loss layer: thousands of lines per run. This
 * filter drops exactly those lines and passes everything else through.
 */
public final class SameDiffChatter {
  private static final String PREFIX = "Added differentiated op ";

  private SameDiffChatter() {}

  public static synchronized void silence() {
    if (!(System.out instanceof Filter)) {
      System.setOut(new Filter(System.out));
    }
  }

  private static final class Filter extends PrintStream {
    Filter(PrintStream out) {
      super(out, true);
    }

    @Override
    public void println(String x) {
      if (x == null || !x.startsWith(PREFIX)) {
        super.println(x);
      }
    }
  }
}
