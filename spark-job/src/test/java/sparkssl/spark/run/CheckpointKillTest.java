package sparkssl.spark.run;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A process that publishes checkpoints one after another is killed (SIGKILL, by its PID) at a random
 * moment, mostly in the middle of writing a checkpoint: the newest checkpoint loads, and it is the last
 * one the process reported published or the one it was publishing when it died.
 */
class CheckpointKillTest {
  private static final int TRIALS = 4;

  @TempDir
  Path tmp;

  @Test
  void aProcessKilledWhileWritingLeavesALoadableCheckpoint() throws Exception {
    byte[] payload = CheckpointWriterProcess.payload();
    int killedMidWrite = 0;
    for (int trial = 0; trial < TRIALS; trial++) {
      Path dir = tmp.resolve("trial-" + trial);
      Path log = tmp.resolve("trial-" + trial + ".log");
      Process writer = ChildJvm.start(log, CheckpointWriterProcess.class, dir.toUri().toString());
      try {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
        while (lastPublished(log) < 1) {
          assertTrue(writer.isAlive() && System.nanoTime() < deadline, "the writer publishes: " + Files.readString(log));
          Thread.sleep(10);
        }
        Thread.sleep(new Random(trial).nextInt(400));
        ProcessHandle.of(writer.pid()).orElseThrow().destroyForcibly();
        assertTrue(writer.waitFor(30, TimeUnit.SECONDS));
      } finally {
        writer.destroyForcibly();
      }
      int reported = lastPublished(log);
      CheckpointStore store = new CheckpointStore(FileSystem.getLocal(new Configuration()),
          new org.apache.hadoop.fs.Path(dir.toUri().toString()), 2);
      Checkpoint loaded = store.loadLatest().orElseThrow();
      int epoch = loaded.progress().epoch();
      assertTrue(epoch == reported || epoch == reported + 1, "trial " + trial + ": loaded " + epoch + ", reported " + reported);
      float[] params = loaded.network().params().data().asFloat();
      assertEquals(CheckpointWriterProcess.network().numParams(), params.length);
      for (float p : params) {
        assertEquals(epoch, p, "trial " + trial);
      }
      assertArrayEquals(payload, loaded.parts().get(CheckpointWriterProcess.PAYLOAD));
      try (var files = Files.list(dir)) {
        // a checkpoint file the manifest does not list is one the kill cut off
        killedMidWrite += files.filter(f -> f.getFileName().toString().endsWith(".zip")).count()
            > store.manifest().checkpoints().size() ? 1 : 0;
      }
    }
    assertTrue(killedMidWrite > 0, "no kill fell in the middle of writing a checkpoint");
  }

  private static int lastPublished(Path log) throws java.io.IOException {
    List<String> lines = Files.exists(log) ? Files.readAllLines(log) : List.of();
    int last = 0;
    for (String line : lines) {
      if (line.startsWith("published ")) {
        last = Integer.parseInt(line.substring("published ".length()).trim());
      }
    }
    return last;
  }
}
