package sparkssl.spark.run;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.FileUtil;
import org.apache.hadoop.fs.Path;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;
import sparkssl.model.ModelIO;

/**
 * Checkpoint writes cut off at random points, on any Hadoop file system: in this JVM by a
 * {@link CrashingFileSystem} over {@code fs}, or by killing a {@link CheckpointWriterProcess}. After
 * each, every checkpoint the manifest lists loads, so loading takes the newest, one that was
 * published whole, and never needs to fall back. Each trial works in a folder of its own under
 * {@code root} and deletes it at the end.
 */
public final class CheckpointCrashTrials {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Map<Integer, ComputationGraph> NETWORKS = new ConcurrentHashMap<>();
  /** A checkpoint part of this many bytes is written in calls of this many, so a crash can fall between them. */
  private static final int CHUNK = 64 << 10;
  private static final String PART = "payload.bin";

  private final FileSystem fs;
  private final Path root;

  /** Trials on {@code fs} (without checksum side files: the store writes none) in folders under {@code root}. */
  public CheckpointCrashTrials(FileSystem fs, Path root) {
    this.fs = fs;
    this.root = root;
  }

  /**
   * Each trial publishes one to three epochs, then crashes while publishing the next: even trials at
   * an event (a write call or file operation) drawn at random, odd ones at each file operation in
   * turn, then at the event just after each (the first write into a file just created, say), so the
   * moments around the manifest's replacement are always among them. Every third trial's
   * checkpoints carry a part of {@code partBytes} (on S3A, more than a multipart block puts the upload
   * of parts among the writes). Afterwards every checkpoint the manifest lists loads, and loading
   * takes the last epoch published in full, or the crashed one if its manifest was in place, with the
   * parameters that epoch had; the run then goes on and its folder ends up holding only what its
   * manifest lists. The crashes must have cut off the checkpoint's creation, a write into it and its
   * close, a write of the manifest and a deletion.
   */
  public void publicationCutOffAtRandomPoints(int trials, int partBytes) throws IOException {
    int crashedEpochTaken = 0;
    Map<String, Integer> crashes = new TreeMap<>();
    for (int trial = 0; trial < trials; trial++) {
      // Random's first draws from neighbouring seeds are alike
      Random random = new Random(new SplittableRandom(trial).nextLong());
      Path run = new Path(root, "publish-" + trial);
      int part = trial % 3 == 2 ? partBytes : 0;
      int done = 1 + random.nextInt(3);
      for (int epoch = 1; epoch <= done; epoch++) {
        publish(store(fs, run), epoch, part);
      }
      int crashing = done + 1;
      // what publishing costs, counted on a copy of the run's checkpoints
      Path cost = new Path(root, "cost-" + trial);
      FileUtil.copy(fs, run, fs, cost, false, fs.getConf());
      CrashingFileSystem counting = new CrashingFileSystem(fs, Long.MAX_VALUE, random);
      publish(store(counting, cost), crashing, part);
      fs.delete(cost, true);
      List<Long> operations = counting.operations();
      int k = trial / 2;
      long crashAt = trial % 2 == 0 ? random.nextLong(counting.events())
          : Math.min(counting.events() - 1, operations.get(k % operations.size()) + k / operations.size() % 2);
      CrashingFileSystem crashed = new CrashingFileSystem(fs, crashAt, random);
      try {
        publish(store(crashed, run), crashing, part);
      } catch (IOException expected) {
        // the crash
      }
      assertTrue(crashed.crashed(), "trial " + trial + " crashed at event " + crashAt + " of " + counting.events());
      // the file's name without its random part
      String crash = crashed.crash().replaceAll("-\\d{4,}-[0-9a-f]{8}\\.zip$", "-N.zip").replaceAll("\\.[0-9a-f-]{36}\\.tmp$", ".tmp");
      crashes.merge(crash, 1, Integer::sum);
      String where = "trial " + trial + " (crash at event " + crashAt + " of " + counting.events() + ", " + crash + ")";

      Checkpoint loaded = resume(store(fs, run), where);
      int epoch = loaded.progress().epoch();
      assertTrue(epoch == done || epoch == crashing, where + " loaded epoch " + epoch);
      assertArrayEquals(network(epoch).params().data().asFloat(), loaded.network().params().data().asFloat(), where);
      if (part > 0) {
        assertArrayEquals(payload(part, epoch), loaded.parts().get(PART), where);
      }
      crashedEpochTaken += epoch == crashing ? 1 : 0;

      CheckpointStore resumed = store(fs, run);
      publish(resumed, epoch + 1, part);
      assertEquals(epoch + 1, resumed.manifest().checkpoints().get(0).epoch());
      assertEquals(filesOf(resumed.manifest()), checkpointFiles(fs, resumed.dir()), where + ": leftovers of the crash remain");
      fs.delete(run, true);
    }
    assertTrue(crashedEpochTaken > 0 && crashedEpochTaken < trials,
        "crashes fell both before and after the manifest was replaced: " + crashedEpochTaken + " of " + trials);
    for (String kind : List.of("create epoch", "write epoch", "close epoch", "write latest.json", "delete epoch")) {
      String[] opFile = kind.split(" ");
      assertTrue(crashes.keySet().stream().anyMatch(c -> c.startsWith(opFile[0] + " ") && c.contains(opFile[1])),
          "no crash at a " + kind + ": " + crashes);
    }
  }

  /**
   * A file replaced (model.zip, config.json, metrics.jsonl, the manifest) by a write cut off at a
   * random point holds its old content or its new one, whole.
   */
  public void replacementCutOffAtRandomPoints(int trials) throws IOException {
    byte[] old = "old content of the file".repeat(50).getBytes(StandardCharsets.UTF_8);
    byte[] replacement = "the new content".repeat(70).getBytes(StandardCharsets.UTF_8);
    int replaced = 0;
    for (int trial = 0; trial < trials; trial++) {
      Random random = new Random(1000 + trial);
      Path target = new Path(new Path(root, "replace-" + trial), "model.zip");
      new AtomicWrites(fs).replace(target, out -> out.write(old));
      CrashingFileSystem counting = new CrashingFileSystem(fs, Long.MAX_VALUE, random);
      new AtomicWrites(counting).replace(new Path(root, "cost"), out -> chunked(out, replacement, 100));
      CrashingFileSystem crashing = new CrashingFileSystem(fs, random.nextLong(counting.events()), random);
      try {
        new AtomicWrites(crashing).replace(target, out -> chunked(out, replacement, 100));
      } catch (IOException expected) {
        // the crash
      }
      assertTrue(fs.exists(target), "trial " + trial + " left no file");
      byte[] now;
      try (InputStream in = fs.open(target)) {
        now = in.readAllBytes();
      }
      assertTrue(Arrays.equals(now, old) || Arrays.equals(now, replacement), "trial " + trial + " left " + now.length + " bytes");
      replaced += Arrays.equals(now, replacement) ? 1 : 0;
      fs.delete(target.getParent(), true);
    }
    assertTrue(replaced < trials, "some crashes came before the new content was in place");
  }

  /**
   * A process that publishes checkpoints one after another into a folder on {@code fs} (reached with
   * {@code settings}, and credentials from {@code env}) is killed (SIGKILL, by its PID) while it
   * publishes its third, at a random moment in the trial's share of the time its second took (trial
   * 0 of 3 early, trial 2 late): every checkpoint the manifest lists loads, and the newest is the last
   * one the process reported published or the one it was publishing when it died.
   */
  public void writerKilledAtRandomMoments(int trials, Map<String, String> settings, Map<String, String> env,
      java.nio.file.Path logs) throws Exception {
    List<String> args = new ArrayList<>();
    settings.forEach((k, v) -> args.add(k + "=" + v));
    int killedWhilePublishing = 0;
    for (int trial = 0; trial < trials; trial++) {
      Path dir = new Path(root, "killed-" + trial);
      java.nio.file.Path log = logs.resolve("killed-" + trial + ".log");
      args.add(0, dir.toString());
      Process writer = ChildJvm.start(log, env, CheckpointWriterProcess.class, args.toArray(String[]::new));
      args.remove(0);
      try {
        // the writer times its second publication, once warm; the kill falls in the third, in trial's share of it
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
        awaitLine(writer, log, CheckpointWriterProcess.PUBLISHED, 2, deadline);
        long millis = Long.parseLong(lines(log, CheckpointWriterProcess.PUBLISHED).get(1)[3]);
        awaitLine(writer, log, CheckpointWriterProcess.PUBLISHING, 3, deadline);
        Thread.sleep((long) ((trial + new Random(trial).nextDouble()) / trials * millis));
        ProcessHandle.of(writer.pid()).orElseThrow().destroyForcibly();
        assertTrue(writer.waitFor(30, TimeUnit.SECONDS));
      } finally {
        writer.destroyForcibly();
      }
      int reported = lastLine(log, CheckpointWriterProcess.PUBLISHED);
      killedWhilePublishing += lastLine(log, CheckpointWriterProcess.PUBLISHING) > reported ? 1 : 0;
      String where = "trial " + trial + " (reported epoch " + reported + " published)";
      Checkpoint loaded = resume(new CheckpointStore(fs, dir, 2), where);
      int epoch = loaded.progress().epoch();
      assertTrue(epoch == reported || epoch == reported + 1, where + ": loaded " + epoch);
      float[] params = loaded.network().params().data().asFloat();
      assertEquals(CheckpointWriterProcess.network().numParams(), params.length);
      for (float p : params) {
        assertEquals(epoch, p, where);
      }
      assertArrayEquals(CheckpointWriterProcess.payload(), loaded.parts().get(CheckpointWriterProcess.PAYLOAD), where);
      fs.delete(dir, true);
    }
    assertTrue(killedWhilePublishing > 0, "no kill fell while a checkpoint was being published");
  }

  /**
   * What {@code --resume} takes from {@code store}: its newest checkpoint, which must load without
   * falling back to an older one, as must every other checkpoint the manifest lists.
   */
  private static Checkpoint resume(CheckpointStore store, String where) {
    CheckpointManifest manifest = assertDoesNotThrow(store::manifest, where + ": the manifest");
    for (CheckpointManifest.Entry entry : manifest.checkpoints()) {
      assertDoesNotThrow(() -> store.load(entry), where + ": the manifest lists " + entry.file() + " of epoch " + entry.epoch());
    }
    Checkpoint loaded = assertDoesNotThrow(store::loadLatest, where + ": loading failed").orElse(null);
    assertNotNull(loaded, where + ": nothing to resume from");
    assertEquals(manifest.checkpoints().get(0), loaded.entry(), where + ": the newest listed checkpoint is taken");
    return loaded;
  }

  /** Waits until the writer has logged {@code PREFIX epoch}. */
  private static void awaitLine(Process writer, java.nio.file.Path log, String prefix, int epoch, long deadline) throws Exception {
    while (lastLine(log, prefix) < epoch) {
      assertTrue(writer.isAlive() && System.nanoTime() < deadline, "the writer publishes: " + Files.readString(log));
      Thread.sleep(2);
    }
  }

  /** The epoch of the writer's last log line {@code PREFIX epoch ...}; 0 before the first. */
  private static int lastLine(java.nio.file.Path log, String prefix) throws IOException {
    List<String[]> lines = lines(log, prefix);
    return lines.isEmpty() ? 0 : Integer.parseInt(lines.get(lines.size() - 1)[1]);
  }

  /** The words of the writer's log lines that start with {@code prefix}. */
  private static List<String[]> lines(java.nio.file.Path log, String prefix) throws IOException {
    List<String[]> lines = new ArrayList<>();
    for (String line : Files.exists(log) ? Files.readAllLines(log) : List.<String>of()) {
      if (line.startsWith(prefix + " ")) {
        lines.add(line.trim().split(" "));
      }
    }
    return lines;
  }

  private static CheckpointStore store(FileSystem fs, Path run) {
    return new CheckpointStore(fs, new Path(run, "checkpoints"), 2);
  }

  /** Publishes epoch {@code epoch}: {@link #network}{@code (epoch)} and, unless {@code partBytes} is 0, a part. */
  static void publish(CheckpointStore store, int epoch, int partBytes) throws IOException {
    ComputationGraph net = network(epoch);
    byte[] part = payload(partBytes, epoch);
    store.publish(progress(epoch, net.getIterationCount()), out -> ModelIO.write(net, out),
        partBytes == 0 ? List.of() : List.of(new Checkpoint.Part(PART, out -> chunked(out, part, CHUNK))));
  }

  private static byte[] payload(int bytes, int epoch) {
    byte[] payload = new byte[bytes];
    new Random(epoch).nextBytes(payload);
    return payload;
  }

  private static void chunked(OutputStream out, byte[] bytes, int chunk) throws IOException {
    for (int i = 0; i < bytes.length; i += chunk) {
      out.write(bytes, i, Math.min(chunk, bytes.length - i));
    }
  }

  /** The checkpoint files in folder {@code dir}, which holds a manifest. */
  static Set<String> checkpointFiles(FileSystem fs, Path dir) throws IOException {
    Set<String> names = new TreeSet<>();
    for (FileStatus f : fs.listStatus(dir)) {
      names.add(f.getPath().getName());
    }
    assertTrue(names.remove(CheckpointStore.MANIFEST), "the manifest is there: " + names);
    return names;
  }

  static Set<String> filesOf(CheckpointManifest manifest) {
    return new TreeSet<>(manifest.checkpoints().stream().map(CheckpointManifest.Entry::file).toList());
  }

  /** Progress at {@code epoch}, with a metrics record for each epoch so far. */
  static TrainingProgress progress(int epoch, long globalStep) {
    List<JsonNode> metrics = new ArrayList<>();
    for (int e = 1; e <= epoch; e++) {
      metrics.add(JSON.createObjectNode().put("epoch", e));
    }
    return new TrainingProgress(epoch, globalStep, 42, JSON.createObjectNode(), metrics, List.of());
  }

  /** {@link #trainedNetwork}, made once per step count. */
  static ComputationGraph network(int steps) {
    return NETWORKS.computeIfAbsent(steps, CheckpointCrashTrials::trainedNetwork);
  }

  /** A small Adam-trained network, different for each {@code steps}, so updater state and step count are non-trivial. */
  static ComputationGraph trainedNetwork(int steps) {
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
