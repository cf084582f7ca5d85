package sparkssl.spark.run;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.apache.commons.io.FileUtils;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;
import sparkssl.model.ModelIO;
import sparkssl.spark.data.SkippedFile;

/**
 * Checkpoints on the local file system: what a checkpoint holds comes back exactly, old ones go
 * only after a new one is published, a damaged newest one is passed over for the one before, and
 * writes cut off at random points never leave anything that loading takes and then fails on.
 */
class CheckpointStoreTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int TRIALS = 60;
  private static final Map<Integer, ComputationGraph> NETWORKS = new java.util.concurrent.ConcurrentHashMap<>();

  @TempDir
  java.nio.file.Path tmp;

  @Test
  void aCheckpointHoldsEverythingToContinue() throws IOException {
    ComputationGraph net = trainedNetwork(1);
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
      publish(store, epoch, trainedNetwork(epoch));
      List<Integer> listed = store.manifest().checkpoints().stream().map(CheckpointManifest.Entry::epoch).toList();
      assertEquals(epoch == 1 ? List.of(1) : List.of(epoch, epoch - 1), listed);
      assertEquals(filesOf(store.manifest()), checkpointFiles("run"), "the folder holds what the manifest lists");
    }
  }

  @Test
  void aDamagedNewestCheckpointIsPassedOverForTheOneBefore() throws IOException {
    CheckpointStore store = store(local(), "run", 3);
    ComputationGraph second = trainedNetwork(2);
    publish(store, 1, trainedNetwork(1));
    publish(store, 2, second);
    publish(store, 3, trainedNetwork(3));
    CheckpointManifest.Entry newest = store.manifest().checkpoints().get(0);
    java.nio.file.Path file = tmp.resolve("run/checkpoints").resolve(newest.file());
    byte[] bytes = Files.readAllBytes(file);
    bytes[new Random(7).nextInt(bytes.length)] ^= 0x20;
    Files.write(file, bytes);

    IOException damaged = assertThrows(IOException.class, () -> store.load(newest));
    assertTrue(damaged.getMessage().contains("SHA-256"), damaged.getMessage());
    Checkpoint loaded = store(local(), "run", 3).loadLatest().orElseThrow();
    assertEquals(2, loaded.progress().epoch(), "a byte changed in epoch 3's checkpoint: epoch 2 is taken");
    assertSameParams(second, loaded.network());

    Files.write(tmp.resolve("run/checkpoints").resolve(loaded.entry().file()), new byte[] {1, 2, 3}, StandardOpenOption.APPEND);
    IOException grown = assertThrows(IOException.class, () -> store.load(loaded.entry()));
    assertTrue(grown.getMessage().contains("bytes, the manifest says"), grown.getMessage());
    assertEquals(1, store(local(), "run", 3).loadLatest().orElseThrow().progress().epoch(), "epoch 2's grew: epoch 1 is taken");
    Files.delete(tmp.resolve("run/checkpoints").resolve(store.manifest().checkpoints().get(2).file()));
    IOException none = assertThrows(IOException.class, () -> store(local(), "run", 3).loadLatest());
    assertTrue(none.getMessage().startsWith("no usable checkpoint in "), none.getMessage());
  }

  /**
   * Each trial publishes one to three epochs, then crashes while publishing the next: at a write call
   * or file operation drawn at random (half the trials draw among the file operations and the first
   * write after each, the moments around the manifest's replacement among them). Loading afterwards takes the last epoch
   * published in full, or the crashed one if its manifest was in place, with the parameters that epoch
   * had; the run then goes on and its folder ends up holding only what its manifest lists.
   */
  @Test
  void publicationCutOffAtRandomPointsNeverLeavesABrokenCheckpoint() throws IOException {
    int crashedEpochTaken = 0;
    for (int trial = 0; trial < TRIALS; trial++) {
      Random random = new Random(trial);
      String run = "trial-" + trial;
      int done = 1 + random.nextInt(3);
      for (int epoch = 1; epoch <= done; epoch++) {
        publish(store(local(), run, 2), epoch, network(epoch));
      }
      int crashing = done + 1;
      // what publishing costs, counted on a copy of the run's checkpoints
      FileUtils.copyDirectory(tmp.resolve(run).toFile(), tmp.resolve("cost-" + trial).toFile());
      CrashingFileSystem counting = new CrashingFileSystem(Long.MAX_VALUE, random);
      publish(store(counting, "cost-" + trial, 2), crashing, network(crashing));
      // a file operation, or the first write into a file just created
      long crashAt = random.nextBoolean() ? random.nextLong(counting.events())
          : Math.min(counting.events() - 1, counting.operations().get(random.nextInt(counting.operations().size())) + random.nextInt(2));
      CrashingFileSystem crashed = new CrashingFileSystem(crashAt, random);
      try {
        publish(store(crashed, run, 2), crashing, network(crashing));
      } catch (IOException expected) {
        // the crash
      }
      assertTrue(crashed.crashed(), "trial " + trial + " crashed at event " + crashAt + " of " + counting.events());

      Checkpoint loaded = store(local(), run, 2).loadLatest().orElse(null);
      assertNotNull(loaded, "trial " + trial + ": nothing to resume from after a crash at event " + crashAt);
      int epoch = loaded.progress().epoch();
      assertTrue(epoch == done || epoch == crashing, "trial " + trial + " loaded epoch " + epoch);
      assertSameParams(network(epoch), loaded.network());
      crashedEpochTaken += epoch == crashing ? 1 : 0;

      CheckpointStore resumed = store(local(), run, 2);
      publish(resumed, epoch + 1, network(epoch + 1));
      assertEquals(epoch + 1, resumed.manifest().checkpoints().get(0).epoch());
      assertEquals(filesOf(resumed.manifest()), checkpointFiles(run), "trial " + trial + ": leftovers of the crash remain");
    }
    assertTrue(crashedEpochTaken > 0 && crashedEpochTaken < TRIALS,
        "crashes fell both before and after the manifest was replaced: " + crashedEpochTaken + " of " + TRIALS);
  }

  /**
   * A file replaced (model.zip, config.json, metrics.jsonl, the manifest) by a write cut off at a
   * random point holds its old content or its new one, whole.
   */
  @Test
  void aReplacementCutOffAtRandomPointsLeavesTheOldFileOrTheNew() throws IOException {
    byte[] old = "old content of the file".repeat(50).getBytes(StandardCharsets.UTF_8);
    byte[] replacement = "the new content".repeat(70).getBytes(StandardCharsets.UTF_8);
    int replaced = 0;
    for (int trial = 0; trial < TRIALS; trial++) {
      Random random = new Random(1000 + trial);
      Path target = new Path(tmp.resolve("replace-" + trial).toUri().toString(), "model.zip");
      new AtomicWrites(local()).replace(target, out -> out.write(old));
      CrashingFileSystem counting = new CrashingFileSystem(Long.MAX_VALUE, random);
      new AtomicWrites(counting).replace(new Path(tmp.resolve("cost").toUri().toString(), "x"), out -> chunked(out, replacement));
      CrashingFileSystem crashing = new CrashingFileSystem(random.nextLong(counting.events()), random);
      try {
        new AtomicWrites(crashing).replace(target, out -> chunked(out, replacement));
      } catch (IOException expected) {
        // the crash
      }
      byte[] now = Files.readAllBytes(java.nio.file.Path.of(target.toUri()));
      assertTrue(java.util.Arrays.equals(now, old) || java.util.Arrays.equals(now, replacement),
          "trial " + trial + " left " + now.length + " bytes");
      replaced += java.util.Arrays.equals(now, replacement) ? 1 : 0;
    }
    assertTrue(replaced < TRIALS, "some crashes came before the rename");
  }

  private static void chunked(java.io.OutputStream out, byte[] bytes) throws IOException {
    for (int i = 0; i < bytes.length; i += 100) {
      out.write(bytes, i, Math.min(100, bytes.length - i));
    }
  }

  private static void publish(CheckpointStore store, int epoch, ComputationGraph net) throws IOException {
    store.publish(progress(epoch, net.getIterationCount()), out -> ModelIO.write(net, out), List.of());
  }

  private static void assertSameParams(ComputationGraph expected, ComputationGraph actual) {
    assertArrayEquals(expected.params().data().asFloat(), actual.params().data().asFloat());
  }

  private CheckpointStore store(FileSystem fs, String run, int keep) {
    return new CheckpointStore(fs, new Path(tmp.resolve(run).resolve("checkpoints").toUri().toString()), keep);
  }

  private Set<String> checkpointFiles(String run) throws IOException {
    try (Stream<java.nio.file.Path> files = Files.list(tmp.resolve(run).resolve("checkpoints"))) {
      Set<String> names = new TreeSet<>(files.map(f -> f.getFileName().toString()).toList());
      assertTrue(names.remove(CheckpointStore.MANIFEST), "the manifest is there: " + names);
      return names;
    }
  }

  private static Set<String> filesOf(CheckpointManifest manifest) {
    return new TreeSet<>(manifest.checkpoints().stream().map(CheckpointManifest.Entry::file).toList());
  }

  private static FileSystem local() throws IOException {
    return FileSystem.getLocal(CrashingFileSystem.CONF);
  }

  private static TrainingProgress progress(int epoch, long globalStep) {
    List<com.fasterxml.jackson.databind.JsonNode> metrics = new ArrayList<>();
    for (int e = 1; e <= epoch; e++) {
      metrics.add(JSON.createObjectNode().put("epoch", e));
    }
    return new TrainingProgress(epoch, globalStep, 42, JSON.createObjectNode(), metrics, List.of());
  }

  /** {@link #trainedNetwork}, made once per step count. */
  private static ComputationGraph network(int steps) {
    return NETWORKS.computeIfAbsent(steps, CheckpointStoreTest::trainedNetwork);
  }

  /** A small Adam-trained network, different for each {@code steps}, so updater state and step count are non-trivial. */
  private static ComputationGraph trainedNetwork(int steps) {
    ComputationGraph net = new ComputationGraph(new NeuralNetConfiguration.Builder().seed(5).updater(new Adam(1e-2)).graphBuilder()
        .addInputs("in")
        .addLayer("hidden", new DenseLayer.Builder().nIn(4).nOut(8).activation(Activation.RELU).build(), "in")
        .addLayer("out", new OutputLayer.Builder(LossFunctions.LossFunction.MSE).nIn(8).nOut(2).activation(Activation.IDENTITY)
            .build(), "hidden")
        .setOutputs("out")
        .build());
    net.init();
    DataSet data = new DataSet(Nd4j.linspace(1, 64, 64).reshape(16, 4).divi(64), Nd4j.ones(16, 2));
    for (int i = 0; i < steps; i++) {
      net.fit(data);
    }
    return net;
  }
}
