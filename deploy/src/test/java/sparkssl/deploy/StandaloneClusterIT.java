package sparkssl.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import sparkssl.augment.ViewOptions;
import sparkssl.augment.ViewPipeline;
import sparkssl.model.ModelIO;
import sparkssl.model.SslNetwork;
import sparkssl.model.eval.WeightedKnn;

/**
 * The shaded jar on a real standalone cluster: a master and two workers (each its own JVM, started by
 * deploy/bin/local-cluster), the job submitted through Spark's own SparkSubmit in client mode.
 */
class StandaloneClusterIT {
  @TempDir
  Path tmp;

  private Path state;

  @AfterEach
  void stopCluster() throws Exception {
    if (state != null) {
      Processes.run(tmp.resolve("stop.log"), 60, List.of(Processes.ROOT.resolve("deploy/bin/local-cluster").toString(),
          "stop", "--state", state.toString()));
    }
  }

  @Test
  void trainsWithTwoExecutorsAndLeavesALoadableModel() throws Exception {
    Path sample = Processes.ROOT.resolve("data/sample/fashion-mnist");
    Path corpus = copySlice(sample.resolve("train"), tmp.resolve("corpus"), 16);
    Path bank = copySlice(sample.resolve("train"), tmp.resolve("bank"), 10);
    Path queries = copySlice(sample.resolve("test"), tmp.resolve("queries"), 5);
    Path runDir = tmp.resolve("run");

    state = tmp.resolve("cluster");
    int port = Processes.freePort();
    Processes.Result started = Processes.run(tmp.resolve("start.log"), 120, List.of(
        Processes.ROOT.resolve("deploy/bin/local-cluster").toString(), "start", "--workers", "2", "--cores", "1",
        "--memory", "1500m", "--port", String.valueOf(port), "--webui-port", String.valueOf(Processes.freePort()),
        "--state", state.toString()));
    assertEquals(0, started.code(), started.output());
    String master = "spark://127.0.0.1:" + port;
    assertTrue(started.output().contains(master), started.output());

    Path driverLog = tmp.resolve("driver.log");
    Processes.Result submitted = Processes.run(driverLog, 600, Processes.list(
        "java", "-Xmx1g", Processes.javaOpens(),
        "-Dlog4j.configurationFile=" + Processes.ROOT.resolve("deploy/conf/log4j2.properties"),
        "-cp", Processes.SPARK_HOME.resolve("jars") + "/*",
        "org.apache.spark.deploy.SparkSubmit",
        "--master", master, "--deploy-mode", "client", "--class", "sparkssl.job.Main",
        "--conf", "spark.executor.memory=1g", "--conf", "spark.executor.cores=1", "--conf", "spark.cores.max=2",
        "--conf", "spark.ui.enabled=false", "--conf", "spark.driver.host=127.0.0.1",
        Processes.JOB_JAR.toString(),
        "train", "--corpus", corpus.toUri(), "--eval-train", bank.toUri(), "--eval-test", queries.toUri(),
        "--run-dir", runDir.toUri(), "--epochs", "1", "--batch-size", "16", "--averaging-frequency", "2"));
    assertEquals(0, submitted.code(), Processes.tail(driverLog));

    List<JsonNode> metrics = new ArrayList<>();
    for (String line : Files.readAllLines(runDir.resolve("metrics.jsonl"))) {
      metrics.add(new ObjectMapper().readTree(line));
    }
    assertEquals(1, metrics.size());
    JsonNode epoch = metrics.get(0);
    Set<String> executors = new HashSet<>();
    epoch.get("executors").forEach(e -> executors.add(e.asText()));
    executors.remove("driver");
    assertEquals(2, executors.size(), "both executors took part: " + epoch);
    assertTrue(epoch.get("averaging_rounds").asInt() >= 1, "parameter averaging happened: " + epoch);
    assertEquals(160, epoch.get("images").asLong());
    assertTrue(epoch.get("fast_path_steps").asLong() > 0, epoch.toString());
    assertEquals(0, epoch.get("slow_path_steps").asLong(), "executors train on the oneDNN fast path: " + epoch);

    // the saved model, loaded here, gives the embeddings the driver's model gave: recomputing the
    // k-NN top-1 from them reproduces the driver's figure exactly
    MultiLayerNetwork model;
    try (InputStream in = Files.newInputStream(runDir.resolve("model.zip"))) {
      model = ModelIO.read(in);
    }
    ViewPipeline plain = new ViewPipeline(new ViewOptions());
    Map<String, Integer> classes = new TreeMap<>();
    List<Path> bankFiles = images(bank);
    bankFiles.forEach(p -> classes.putIfAbsent(p.getParent().getFileName().toString(), 0));
    int c = 0;
    for (Map.Entry<String, Integer> e : classes.entrySet()) {
      e.setValue(c++);
    }
    List<Path> queryFiles = images(queries);
    WeightedKnn knn = new WeightedKnn(embed(model, plain, bankFiles), labels(bankFiles, classes), classes.size(), 20, 0.07);
    double top1 = knn.top1(embed(model, plain, queryFiles), labels(queryFiles, classes));
    assertEquals(epoch.get("knn_top1").asDouble(), top1, 1e-12);
  }

  private static INDArray embed(MultiLayerNetwork net, ViewPipeline plain, List<Path> files) throws Exception {
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

  private static List<Path> images(Path dir) throws IOException {
    try (Stream<Path> s = Files.walk(dir)) {
      return s.filter(p -> p.toString().endsWith(".png")).sorted().collect(Collectors.toList());
    }
  }

  private static Path copySlice(Path from, Path to, int perClass) throws IOException {
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
    return to;
  }
}
