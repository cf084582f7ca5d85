package sparkssl.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import sparkssl.model.Devices;
import sparkssl.model.FastPath;
import sparkssl.model.SslNetwork;
import sparkssl.model.blocks.ConvLayerConversion;
import sparkssl.spark.ml.TrainedEncoder;
import sparkssl.spark.run.CheckpointStore;
import sparkssl.spark.run.RunDirectory;

/**
 * A driver on a CPU whose Spark configuration asks for GPU executors (the README's GPU layout) trains
 * DL4J's own layers, which GPUs run, and says so in config.json; the model it writes runs with fused
 * layers on a CPU and embeds the same there.
 */
class GpuExecutorLayersTest {
  @TempDir
  Path tmp;

  /** A slice of the bundled sample's training images, {@code perClass} of each class, for a run on a CPU driver. */
  private Path corpus(int perClass) throws Exception {
    assumeFalse(Devices.cuda(), "a CPU driver");
    Path corpus = tmp.resolve("corpus");
    LocalModeJobTest.copySlice(LocalTrainRun.SAMPLE.resolve("train"), corpus, perClass);
    return corpus;
  }

  @Test
  void aCpuDriverAskedForGpuExecutorsTrainsDl4jsOwnLayers() throws Exception {
    Path corpus = corpus(8);
    Path runDir = tmp.resolve("run");
    // local mode assigns no GPUs: the driver's executor trains the plain network on its CPU
    LocalTrainRun.run("--corpus", corpus.toUri().toString(), "--skip-eval", "--run-dir", runDir.toString(), "--epochs", "1",
        "--batch-size", "8", "--workers", "2", "--conf", "spark.executor.resource.gpu.amount=1");

    JsonNode config = new ObjectMapper().readTree(runDir.resolve("config.json").toFile());
    assertEquals("plain", config.get("conv_layers").asText());
    JsonNode epoch = LocalTrainRun.metrics(runDir).get(0);
    assertTrue(epoch.get("fast_path_steps").asLong() > 0, epoch.toString());
    assertEquals(0, epoch.get("slow_path_steps").asLong(), "on a CPU DL4J's layers run on oneDNN helpers: " + epoch);

    ComputationGraph trained = RunDirectory.readModel(runDir.toString(), new Configuration());
    FastPath.Status status = FastPath.status(trained);
    assertEquals(0, status.fusedLayers(), status.toString());
    assertEquals(3, status.convLayers(), status.toString());
    ComputationGraph fused = ConvLayerConversion.forThisJvm(trained);
    assertEquals(3, FastPath.status(fused).fusedLayers());
    Nd4j.getRandom().setSeed(21);
    INDArray images = Nd4j.rand(DataType.FLOAT, 4, 1, 28, 28);
    INDArray expected = SslNetwork.embed(trained, images);
    double worst = expected.sub(SslNetwork.embed(fused, images)).amaxNumber().doubleValue();
    assertTrue(worst <= 1e-5 * Math.max(1, expected.amaxNumber().doubleValue()), "largest embedding difference " + worst);
    assertEquals(128, TrainedEncoder.read(runDir.toUri().toString(), new Configuration()).dimension());
  }

  /**
   * A BYOL run on CPU executors (fused layers) resumes from its epoch-1 checkpoint (the epoch-2 one
   * damaged) on GPU executors: the student, its Adam state and the EMA teacher move to DL4J's own
   * layers, and epoch 2 comes out as it did with fused layers, up to float rounding. (The small CNN
   * with batch norm happens to flatten alike either way; TeacherTest and ConvLayerConversionTest
   * cover layouts that differ.)
   */
  @Test
  void aFusedCheckpointResumesWithDl4jsOwnLayersAndItsTeacher() throws Exception {
    Path corpus = corpus(6);
    Path runDir = tmp.resolve("run");
    List<String> args = List.of("--corpus", corpus.toUri().toString(), "--skip-eval", "--run-dir", runDir.toString(), "--epochs", "2",
        "--batch-size", "8", "--workers", "2", "--method", "byol", "--seed", "7");
    LocalTrainRun.run(args.toArray(String[]::new));
    assertEquals("fused", new ObjectMapper().readTree(runDir.resolve("config.json").toFile()).get("conv_layers").asText());
    double fusedLoss = LocalTrainRun.metrics(runDir).get(1).get("loss").asDouble();
    CheckpointStore checkpoints = new RunDirectory(runDir.toString(), new Configuration()).checkpoints(2);
    Path newest = runDir.resolve("checkpoints").resolve(checkpoints.manifest().checkpoints().get(0).file());
    Files.write(newest, Arrays.copyOf(Files.readAllBytes(newest), 100));

    List<String> resume = new ArrayList<>(args);
    resume.addAll(List.of("--resume", "--conf", "spark.executor.resource.gpu.amount=1"));
    LocalTrainRun.run(resume.toArray(String[]::new));

    assertEquals("plain", new ObjectMapper().readTree(runDir.resolve("config.json").toFile()).get("conv_layers").asText());
    List<JsonNode> metrics = LocalTrainRun.metrics(runDir);
    assertEquals(2, metrics.size());
    double plainLoss = metrics.get(1).get("loss").asDouble();
    assertEquals(fusedLoss, plainLoss, 1e-3 * Math.abs(fusedLoss), "epoch 2's loss, fused and resumed with DL4J's layers");
    assertEquals(0, FastPath.status(RunDirectory.readModel(runDir.toString(), new Configuration())).fusedLayers());
  }
}
