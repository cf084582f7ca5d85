package sparkssl.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import sparkssl.augment.ViewOptions;
import sparkssl.augment.ViewPipeline;
import sparkssl.model.SslNetwork;
import sparkssl.model.eval.WeightedKnn;

/**
 * The shaded jar on a real standalone cluster: a master and two workers (each its own JVM, started by
 * deploy/bin/local-cluster), the job submitted through Spark's own SparkSubmit in client mode, and
 * through the launcher with {@code --master}.
 */
class StandaloneClusterIT {
  @TempDir
  static Path tmp;

  private static LocalCluster cluster;
  private static Path corpus;
  private static Path bank;
  private static Path queries;

  @BeforeAll
  static void startCluster() throws Exception {
    corpus = Sample.slice("train", tmp.resolve("corpus"), 16);
    bank = Sample.slice("train", tmp.resolve("bank"), 10);
    queries = Sample.slice("test", tmp.resolve("queries"), 5);
    cluster = LocalCluster.start(tmp.resolve("cluster"));
  }

  @AfterAll
  static void stopCluster() throws Exception {
    if (cluster != null) {
      cluster.close();
    }
  }

  private static List<String> trainArgs(Path runDir) {
    return Processes.list("train", "--corpus", corpus.toUri(), "--eval-train", bank.toUri(), "--eval-test", queries.toUri(),
        "--run-dir", runDir.toUri(), "--epochs", "1", "--batch-size", "16", "--averaging-frequency", "2");
  }

  @Test
  void trainsWithTwoExecutorsAndLeavesALoadableModel() throws Exception {
    Path runDir = tmp.resolve("run");
    Path driverLog = tmp.resolve("driver.log");
    Processes.Result submitted = Processes.run(driverLog, 600, cluster.submit(Processes.JOB_JAR, trainArgs(runDir)));
    assertEquals(0, submitted.code(), Processes.tail(driverLog));
    TrainedRun run = TrainedRun.check(runDir, 160);

    // the saved model, loaded here, gives the embeddings the driver's model gave: recomputing the
    // k-NN top-1 from them reproduces the driver's figure exactly
    ViewPipeline plain = new ViewPipeline(new ViewOptions());
    Map<String, Integer> classes = new TreeMap<>();
    List<Path> bankFiles = Sample.images(bank);
    bankFiles.forEach(p -> classes.putIfAbsent(p.getParent().getFileName().toString(), 0));
    int c = 0;
    for (Map.Entry<String, Integer> e : classes.entrySet()) {
      e.setValue(c++);
    }
    List<Path> queryFiles = Sample.images(queries);
    WeightedKnn knn = new WeightedKnn(embed(run.model(), plain, bankFiles), labels(bankFiles, classes), classes.size(), 20, 0.07);
    double top1 = knn.top1(embed(run.model(), plain, queryFiles), labels(queryFiles, classes));
    assertEquals(run.epoch().get("knn_top1").asDouble(), top1, 1e-12);
  }

  /** What the README documents for train: the launcher with --master URL, as a new user would run it. */
  @Test
  void launcherWithMasterTrainsOnTheCluster() throws Exception {
    Path runDir = tmp.resolve("launcher-run");
    Path log = tmp.resolve("launcher.log");
    Processes.Result r = Processes.run(log, 600, Map.of("SPARK_SSL_DRIVER_MEMORY", "1g"), Processes.list(
        Processes.ROOT.resolve("deploy/bin/spark-ssl"), trainArgs(runDir), "--master", cluster.master));
    assertEquals(0, r.code(), Processes.tail(log));
    TrainedRun.check(runDir, 160);
    JsonNode config = new ObjectMapper().readTree(runDir.resolve("config.json").toFile());
    assertEquals(cluster.master, config.path("spark_master").asText(), config.toString());
  }

  private static INDArray embed(ComputationGraph net, ViewPipeline plain, List<Path> files) throws Exception {
    int len = plain.viewLength();
    float[] buf = new float[files.size() * len];
    for (int i = 0; i < files.size(); i++) {
      byte[] px = plain.plain(Files.readAllBytes(files.get(i)));
      plain.normalize().toFloats(px, 0, buf, i * len, 1, 1, 28 * 28);
    }
    return SslNetwork.embed(net, Nd4j.create(buf, new long[] {files.size(), 1, 28, 28}, 'c'));
  }

  private static int[] labels(List<Path> files, Map<String, Integer> classes) {
    return files.stream().mapToInt(p -> classes.get(p.getParent().getFileName().toString())).toArray();
  }
}
