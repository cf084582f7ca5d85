package sparkssl.job.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/** The machine's 1, 5 and 15 minute load averages, printed next to every benchmark so a busy machine shows. */
final class LoadAverage {
  private static final Path LOADAVG = Path.of("/proc/loadavg");

  private LoadAverage() {}

  /** "1.02 0.87 0.55", or "n/a" where /proc/loadavg does not exist. */
  static String now() throws IOException {
    return Files.exists(LOADAVG) ? String.join(" ", Arrays.copyOf(Files.readString(LOADAVG).trim().split(" "), 3)) : "n/a";
  }
}
