package sparkssl.job;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;
import sparkssl.augment.ViewPipeline;
import sparkssl.model.Devices;
import sparkssl.model.SslNetwork;
import sparkssl.spark.ml.TrainedEncoder;
import sparkssl.spark.run.Checkpoint;
import sparkssl.spark.run.CheckpointManifest;
import sparkssl.spark.run.CheckpointStore;
import sparkssl.spark.run.RunDirectory;

/** The whole job in Spark local mode on a slice of the bundled sample, with a few bad files mixed in. */
class LocalModeJobTest {
  private static final Path SAMPLE = LocalTrainRun.SAMPLE;

  @TempDir
  Path tmp;

  @Test
  void trainsCheckpointsEvaluatesAndSkipsBadFiles() throws Exception {
    Path corpus = tmp.resolve("corpus");
    Path evalTrain = tmp.resolve("eval-train");
    Path evalTest = tmp.resolve("eval-test");
    copySlice(SAMPLE.resolve("train"), corpus, 24);
    copySlice(SAMPLE.resolve("train"), evalTrain, 10);
    copySlice(SAMPLE.resolve("test"), evalTest, 5);
    byte[] good = Files.readAllBytes(anyImage(corpus));
    Files.write(corpus.resolve("truncated.png"), java.util.Arrays.copyOf(good, good.length / 3));
    Files.write(corpus.resolve("empty.jpg"), new byte[0]);
    Files.writeString(corpus.resolve("notes.png"), "not an image");
    Files.writeString(corpus.resolve("README.txt"), "ignored: not an image extension");

    Path runDir = tmp.resolve("run");
    JobConfig cfg = LocalTrainRun.run(
        "--corpus", corpus.toUri().toString(), "--eval-train", evalTrain.toUri().toString(),
        "--eval-test", evalTest.toUri().toString(), "--run-dir", runDir.toString(),
        "--epochs", "2", "--batch-size", "11", "--averaging-frequency", "2", "--workers", "2",
        "--conf", "spark.hadoop.fs.s3a.secret.key=TOPSECRET-123");

    List<JsonNode> metrics = LocalTrainRun.metrics(runDir);
    assertEquals(2, metrics.size());
    // 242 listed files (240 images, 2 broken) = 11 global steps of 2 workers x 11: the broken two shrink
    // their steps' batches in epoch 1 and sit out epoch 2, whose 240 images make 10 steps and leave 20 out
    JsonNode first = metrics.get(0);
    assertEquals(240, first.get("images").asLong(), "every good image trains in epoch 1: " + first);
    assertEquals(0, first.get("dropped_images").asInt());
    assertEquals(22, first.get("worker_steps").asInt());
    assertEquals(6, first.get("averaging_rounds").asInt());
    assertEquals(11, first.get("loss_batch").get("max").asInt());
    assertTrue(first.get("loss_batch").get("min").asInt() >= 9, first.toString());
    JsonNode second = metrics.get(1);
    assertEquals(220, second.get("images").asLong(), second.toString());
    assertEquals(20, second.get("dropped_images").asInt());
    assertEquals(20, second.get("worker_steps").asInt());
    assertEquals(5, second.get("averaging_rounds").asInt());
    assertEquals(11, second.get("loss_batch").get("min").asInt());
    assertEquals(2, second.get("steps_per_round").get("max").asInt());
    for (JsonNode m : metrics) {
      assertEquals(22, m.get("global_batch").asInt());
      assertEquals(3, m.get("skipped_files").asLong(), "truncated, empty and text files are skipped and counted: " + m);
      assertEquals(3, m.get("skipped_examples").size());
      assertTrue(m.get("skipped_examples").toString().contains("empty.jpg (EMPTY"), m.toString());
      assertTrue(Double.isFinite(m.get("loss").asDouble()) && m.get("loss").asDouble() > 0);
      assertTrue(m.get("images_per_s").asDouble() > 0);
      assertTrue(m.get("fast_path_steps").asLong() > 0);
      assertTrue(m.get("spark_job_s").get("train").asDouble() > 0, "time in training jobs is recorded: " + m);
      JsonNode time = m.get("worker_time_s");
      assertTrue(time.get("compute").asDouble() > 0, m.toString());
      assertEquals(time.get("total").asDouble(), time.get("compute").asDouble() + time.get("data").asDouble()
          + time.get("averaging").asDouble() + time.get("other").asDouble(), 1e-9, "the parts add up: " + time);
      assertEquals(2 * time.get("rounds_wall").asDouble(), time.get("total").asDouble(), 1e-9, "2 workers' seconds: " + time);
      assertEquals(time.get("compute").asDouble() / time.get("total").asDouble(), time.get("compute_share").asDouble(), 1e-12);
      assertEquals(0, m.get("slow_path_steps").asLong(), "every worker step on the fast path");
      // local mode: the driver is the only executor; on CUDA it has no Spark GPU assignment, so GPU 0
      List<String> devices = new ArrayList<>();
      m.get("devices").forEach(d -> devices.add(d.asText()));
      assertEquals(List.of(Devices.cuda() ? "driver: " + Devices.describeCurrent() : "driver: cpu (oneDNN)"), devices);
    }
    JsonNode last = metrics.get(1);
    double top1 = last.get("knn_top1").asDouble();
    assertTrue(top1 > 0.1 && top1 <= 1, "10 classes: k-NN top-1 " + top1);
    assertTrue(last.has("knn_top1_random_init"));

    CheckpointStore checkpoints = new RunDirectory(runDir.toString(), new Configuration()).checkpoints(2);
    assertEquals(List.of(2, 1), checkpoints.manifest().checkpoints().stream().map(CheckpointManifest.Entry::epoch).toList(),
        "both epochs' checkpoints published, newest first");
    String config = Files.readString(runDir.resolve("config.json"), StandardCharsets.UTF_8);
    assertFalse(config.contains("TOPSECRET"), "secrets never reach config.json");
    assertTrue(config.contains("<redacted>"));
    assertEquals(11, json(config).get("batch_size_per_worker").asInt());
    assertEquals(11, json(config).get("steps_per_epoch").asInt());

    // the final model and the last checkpoint are the same network, and it embeds images
    ComputationGraph model = RunDirectory.readModel(runDir.toString(), new Configuration());
    Checkpoint latest = checkpoints.loadLatest().orElseThrow();
    assertTrue(model.params().equalsWithEps(latest.network().params(), 0));
    assertEquals(2, latest.progress().metrics().size());
    assertEquals(2, latest.progress().skippedFiles().size(), "the truncated and the text file: " + latest.progress().skippedFiles());
    // a checkpoint is a model file too: eval and embed take it
    TrainedEncoder fromCheckpoint = TrainedEncoder.read(runDir.resolve("checkpoints").resolve(latest.entry().file()).toUri().toString(),
        new Configuration());
    assertEquals(TrainedEncoder.read(runDir.toUri().toString(), new Configuration()).id(), fromCheckpoint.id());
    ViewPipeline plain = new ViewPipeline(cfg.viewOptions());
    byte[] pixels = plain.plain(Files.readAllBytes(anyImage(evalTest)));
    float[] f = new float[pixels.length];
    plain.normalize().toFloats(pixels, 0, f, 0, 1, 1, 28 * 28);
    INDArray emb = SslNetwork.embed(model, org.nd4j.linalg.factory.Nd4j.create(f, new long[] {1, 1, 28, 28}, 'c'));
    assertArrayEquals(new long[] {1, 128}, emb.shape());
  }

  private static JsonNode json(String s) {
    try {
      return new ObjectMapper().readTree(s);
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  private static Path anyImage(Path dir) throws IOException {
    try (Stream<Path> s = Files.walk(dir)) {
      return s.filter(p -> p.toString().endsWith(".png") && !p.getFileName().toString().startsWith("trunc")
          && !p.getFileName().toString().startsWith("notes")).sorted().findFirst().orElseThrow();
    }
  }

  /** Copies the first {@code perClass} images of every class folder. */
  static void copySlice(Path from, Path to, int perClass) throws IOException {
    try (Stream<Path> classes = Files.list(from)) {
      for (Path cls : classes.filter(Files::isDirectory).sorted().collect(Collectors.toList())) {
        Path dst = Files.createDirectories(to.resolve(cls.getFileName()));
        try (Stream<Path> files = Files.list(cls)) {
          for (Path f : files.sorted().limit(perClass).collect(Collectors.toList())) {
            Files.copy(f, dst.resolve(f.getFileName()));
          }
        }
      }
    }
  }
}
