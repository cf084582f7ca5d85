package sparkssl.job.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * This JVM's peak resident memory (Linux {@code VmHWM}), resettable so that each benchmark row
 * reports its own peak: ND4J's arrays live off-heap, so the Java heap's figures miss most of it.
 */
final class PeakRss {
  private PeakRss() {}

  /** Sets the peak to the current resident size ("5" to clear_refs, Linux 4.0+); false where unsupported. */
  static boolean reset() {
    try {
      Files.writeString(Path.of("/proc/self/clear_refs"), "5");
      return true;
    } catch (IOException | UnsupportedOperationException e) {
      return false;
    }
  }

  /** Peak resident set in KiB since start or the last {@link #reset()}; -1 where unknown. */
  static long kib() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith("VmHWM:")) {
          return Long.parseLong(line.replaceAll("[^0-9]", ""));
        }
      }
    } catch (IOException | NumberFormatException e) {
      return -1;
    }
    return -1;
  }
}
