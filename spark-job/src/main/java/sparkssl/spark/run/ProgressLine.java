package sparkssl.spark.run;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where progress goes: one line redrawn in place with a carriage return when stderr is a terminal,
 * else a log line each time (a log file or a cluster's driver log has no use for a redrawn line).
 */
abstract class ProgressLine {
  private static final Logger LOG = LoggerFactory.getLogger(RunProgress.class);

  /** Shows the current state. */
  abstract void show(String line);

  /** Makes room for an ordinary log line. */
  abstract void clear();

  /** True when the live line is redrawn (then it may be shown more often than a log line). */
  abstract boolean live();

  static ProgressLine forStderr() {
    return stderrIsTerminal() ? new Terminal(System.err) : new Log();
  }

  /** Linux names a terminal's device in /proc; anywhere else, or when unsure, plain lines. */
  private static boolean stderrIsTerminal() {
    try {
      String target = Files.readSymbolicLink(Path.of("/proc/self/fd/2")).toString();
      return target.startsWith("/dev/pts/") || target.startsWith("/dev/tty");
    } catch (IOException | UnsupportedOperationException | SecurityException e) {
      return false;
    }
  }

  static final class Log extends ProgressLine {
    @Override
    void show(String line) {
      LOG.info(line);
    }

    @Override
    void clear() {}

    @Override
    boolean live() {
      return false;
    }
  }

  /**
   * Leaves the cursor at the start of the line, so that a log line printed meanwhile (by Spark, say)
   * overwrites it rather than being glued to its end; pads with spaces rather than erasing with escape
   * codes, so even a dumb terminal shows it right.
   */
  static final class Terminal extends ProgressLine {
    private final PrintStream out;
    private int shown;

    Terminal(PrintStream out) {
      this.out = out;
    }

    @Override
    synchronized void show(String line) {
      out.print("\r" + line + " ".repeat(Math.max(0, shown - line.length())) + "\r");
      out.flush();
      shown = line.length();
    }

    @Override
    synchronized void clear() {
      if (shown > 0) {
        out.print("\r" + " ".repeat(shown) + "\r");
        out.flush();
        shown = 0;
      }
    }

    @Override
    boolean live() {
      return true;
    }
  }
}
