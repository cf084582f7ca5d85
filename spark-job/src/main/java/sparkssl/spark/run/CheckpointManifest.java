package sparkssl.spark.run;

import java.util.List;

/**
 * {@code checkpoints/latest.json}: the published checkpoints, newest first, each named with its length
 * and SHA-256. A checkpoint file is taken only through this list, so a file that was being written
 * when the run died, or that does not match what was published, is never mistaken for a good one.
 */
public record CheckpointManifest(int format, List<Entry> checkpoints) {
  static final int FORMAT = 1;

  /** One published checkpoint: its file in {@code checkpoints/}, what it holds, and how to check it. */
  public record Entry(int epoch, long globalStep, String file, long bytes, String sha256) {}

  public CheckpointManifest {
    checkpoints = List.copyOf(checkpoints);
  }
}
