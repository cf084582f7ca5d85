package sparkssl.spark.run;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Random;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import sparkssl.model.ModelIO;
import sparkssl.spark.data.SkippedFile;

/**
 * Checkpoints on the local file system: what a checkpoint holds comes back exactly, old ones go
 * only after a new one is published, a damaged newest one is passed over for the one before, and
 * writes cut off at random points ({@link CheckpointCrashTrials}) never leave anything that loading
 * takes and then fails on.
 */
class CheckpointStoreTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int TRIALS = 60;

  @TempDir
  java.nio.file.Path tmp;

  @Test
  void aCheckpointHoldsEverythingToContinue() throws IOException {
    ComputationGraph net = CheckpointCrashTrials.trainedNetwork(1);
    TrainingProgress progress = new TrainingProgress(3, net.getIterationCount(), 42,
        JSON.readTree("{\"corpus\": \"file:/c\", \"epochs\": 5}"),
        List.of(JSON.readTree("{\"epoch\": 1, \"loss\": 1.5}"), JSON.readTree("{\"epoch\": 2, \"loss\": 0.25}")),
        List.of(new SkippedFile("file:/c/bad.png", "CORRUPT: no IEND")));
    byte[] teacher = "teacher state".getBytes(StandardCharsets.UTF_8);
    CheckpointStore store = store(local(), "run", 2);
    INDArray center = Nd4j.linspace(1, 6, 6).reshape(1, 6).divi(7);
    store.publish(progress, out -> ModelIO.write(net, out), List.of(new Checkpoint.Part("teacher.bin", out -> out.write(teacher)),
        Checkpoint.Part.array("center.bin", center)));

    Checkpoint loaded = store(local(), "run", 2).loadLatest().orElseThrow();
    assertEquals(progress, loaded.progress());
    assertEquals(3, loaded.entry().epoch());
    assertTrue(net.getIterationCount() > 0);
    assertEquals(net.getIterationCount(), loaded.network().getIterationCount(), "the global step");
    assertSameParams(net, loaded.network());
    assertArrayEquals(net.getUpdater().getStateViewArray().data().asFloat(),
        loaded.network().getUpdater().getStateViewArray().data().asFloat(), "Adam's moments");
    assertArrayEquals(teacher, loaded.parts().get("teacher.bin"));
    assertArrayEquals(center.data().asFloat(), loaded.array("center.bin").data().asFloat());
    assertArrayEquals(center.shape(), loaded.array("center.bin").shape());
    assertThrows(IllegalArgumentException.class, () -> store.publish(progress, out -> ModelIO.write(net, out),
        List.of(new Checkpoint.Part("a/b", out -> {}))));
  }

  @Test
  void nothingPublishedLoadsNothing() throws IOException {
    assertTrue(store(local(), "missing", 2).loadLatest().isEmpty());
  }

  @Test
  void olderCheckpointsGoOnlyOnceANewerOneIsPublished() throws IOException {
    CheckpointStore store = store(local(), "run", 2);
    for (int epoch = 1; epoch <= 4; epoch++) {
      CheckpointCrashTrials.publish(store, epoch, 0);
      List<Integer> listed = store.manifest().checkpoints().stream().map(CheckpointManifest.Entry::epoch).toList();
      assertEquals(epoch == 1 ? List.of(1) : List.of(epoch, epoch - 1), listed);
      assertEquals(CheckpointCrashTrials.filesOf(store.manifest()), CheckpointCrashTrials.checkpointFiles(local(), store.dir()), "the folder holds what the manifest lists");
    }
  }

  @Test
  void aDamagedNewestCheckpointIsPassedOverForTheOneBefore() throws IOException {
    CheckpointStore store = store(local(), "run", 3);
    for (int epoch = 1; epoch <= 3; epoch++) {
      CheckpointCrashTrials.publish(store, epoch, 0);
    }
    CheckpointManifest.Entry newest = store.manifest().checkpoints().get(0);
    java.nio.file.Path file = tmp.resolve("run/checkpoints").resolve(newest.file());
    byte[] bytes = Files.readAllBytes(file);
    bytes[new Random(7).nextInt(bytes.length)] ^= 0x20;
    Files.write(file, bytes);

    IOException damaged = assertThrows(IOException.class, () -> store.load(newest));
    assertTrue(damaged.getMessage().contains("SHA-256"), damaged.getMessage());
    Checkpoint loaded = store(local(), "run", 3).loadLatest().orElseThrow();
    assertEquals(2, loaded.progress().epoch(), "a byte changed in epoch 3's checkpoint: epoch 2 is taken");
    assertSameParams(CheckpointCrashTrials.network(2), loaded.network());

    Files.write(tmp.resolve("run/checkpoints").resolve(loaded.entry().file()), new byte[] {1, 2, 3}, StandardOpenOption.APPEND);
    IOException grown = assertThrows(IOException.class, () -> store.load(loaded.entry()));
    assertTrue(grown.getMessage().contains("bytes, the manifest says"), grown.getMessage());
    assertEquals(1, store(local(), "run", 3).loadLatest().orElseThrow().progress().epoch(), "epoch 2's grew: epoch 1 is taken");
    Files.delete(tmp.resolve("run/checkpoints").resolve(store.manifest().checkpoints().get(2).file()));
    IOException none = assertThrows(IOException.class, () -> store(local(), "run", 3).loadLatest());
    assertTrue(none.getMessage().startsWith("no usable checkpoint in "), none.getMessage());
  }

  @Test
  void publicationCutOffAtRandomPointsNeverLeavesABrokenCheckpoint() throws IOException {
    trials().publicationCutOffAtRandomPoints(TRIALS, 200 << 10);
  }

  @Test
  void aReplacementCutOffAtRandomPointsLeavesTheOldFileOrTheNew() throws IOException {
    trials().replacementCutOffAtRandomPoints(TRIALS);
  }

  private CheckpointCrashTrials trials() throws IOException {
    return new CheckpointCrashTrials(local(), new Path(tmp.toUri().toString()));
  }

  private static void assertSameParams(ComputationGraph expected, ComputationGraph actual) {
    assertArrayEquals(expected.params().data().asFloat(), actual.params().data().asFloat());
  }

  private CheckpointStore store(FileSystem fs, String run, int keep) {
    return new CheckpointStore(fs, new Path(tmp.resolve(run).resolve("checkpoints").toUri().toString()), keep);
  }

  /** The local file system without checksum side files, as the store writes it. */
  private static FileSystem local() throws IOException {
    return FileSystem.getLocal(CrashingFileSystem.CONF).getRawFileSystem();
  }
}
