package sparkssl.deploy;

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
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * An executor JVM killed mid-training on a real two-worker standalone cluster: Spark retries the
 * lost task and the worker starts a new executor; the run completes, trains every image of every
 * epoch once, and ends where an undisturbed run with the same seed ends, to the last digit: the same
 * loss in every epoch and the same k-NN top-1 (the sample's 500 test images against its 2,000 train
 * images). On one machine a retried task repeats the lost one's arithmetic exactly. Both ways an
 * epoch's images reach the workers ({@code --epoch-data}) are run.
 */
class ExecutorLossIT {
  private static final int EPOCHS = 3;

  @TempDir
  static Path tmp;

  private static LocalCluster cluster;
  private static Path corpus;

  @BeforeAll
  static void start() throws Exception {
    corpus = Sample.slice("train", tmp.resolve("corpus"), 64);
    cluster = LocalCluster.start(tmp.resolve("cluster"));
  }

  @AfterAll
  static void stop() throws Exception {
    if (cluster != null) {
      cluster.close();
    }
  }

  private static List<String> trainArgs(Path runDir, String epochData) {
    return Processes.list("train", "--corpus", corpus.toUri(), "--epoch-data", epochData,
        "--eval-train", Sample.FASHION_MNIST.resolve("train").toUri(), "--eval-test", Sample.FASHION_MNIST.resolve("test").toUri(),
        "--run-dir", runDir.toUri(), "--epochs", EPOCHS, "--batch-size", "16", "--averaging-frequency", "2", "--seed", "7");
  }

  /**
   * With {@code shuffle} the killed task's round reads the epoch's shuffle again; with {@code shards}
   * the killed executor's cached worker shard is gone and is dealt again from the corpus.
   */
  @ParameterizedTest
  @ValueSource(strings = {"shuffle", "shards"})
  void runSurvivesAKilledExecutorAndEndsWhereAnUndisturbedRunEnds(String epochData) throws Exception {
    Path calmDir = tmp.resolve(epochData + "-undisturbed");
    Path calmLog = tmp.resolve(epochData + "-undisturbed.log");
    Processes.Result calm = Processes.run(calmLog, 900, cluster.submit(Processes.JOB_JAR, trainArgs(calmDir, epochData)));
    assertEquals(0, calm.code(), Processes.tail(calmLog));

    Path runDir = tmp.resolve(epochData + "-disturbed");
    Path log = tmp.resolve(epochData + "-disturbed.log");
    Process driver = Processes.start(log, Map.of(), cluster.submit(Processes.JOB_JAR, trainArgs(runDir, epochData)));
    LocalCluster.Executor victim;
    try {
      victim = killDuringATrainingTask(driver, log, epochData.equals("shuffle"));
      if (!driver.waitFor(900, TimeUnit.SECONDS)) {
        throw new AssertionError("the disturbed run did not finish in 900 s:\n" + Processes.tail(log));
      }
    } finally {
      driver.descendants().forEach(ProcessHandle::destroyForcibly);
      driver.destroyForcibly();
    }
    String output = Files.readString(log, StandardCharsets.UTF_8);
    assertEquals(0, driver.exitValue(), Processes.tail(log));
    assertTrue(output.contains("Lost task") && output.contains("executor " + victim.id()),
        "a task of the killed executor " + victim.id() + " was lost and retried:\n" + Processes.tail(log));

    List<JsonNode> disturbed = metrics(runDir);
    List<JsonNode> undisturbed = metrics(calmDir);
    assertEquals(EPOCHS, disturbed.size());
    TreeSet<String> executors = new TreeSet<>();
    for (int e = 0; e < EPOCHS; e++) {
      JsonNode d = disturbed.get(e);
      assertTrue(Double.isFinite(d.get("loss").asDouble()), "finite loss: " + d);
      assertEquals(undisturbed.get(e).get("images").asLong(), d.get("images").asLong(),
          "every planned image trained exactly once, retried task or not: " + d);
      assertEquals(undisturbed.get(e).get("loss").asDouble(), d.get("loss").asDouble(), 0, "the same loss, bit for bit: " + d);
      d.get("executors").forEach(x -> executors.add(x.asText()));
    }
    executors.remove("driver");
    List<Path> executorLogs = cluster.files().stream()
        .filter(p -> p.toString().contains(victim.app()) && p.getFileName().toString().equals("stderr")).toList();
    assertTrue(executorLogs.size() >= 3, "a worker started a new executor in place of the killed one: " + executorLogs);
    // with worker shards the killed executor's shard is dealt again where its next round ran, a surviving
    // executor, whose cached shards keep the rounds there: the new executor need not run a task
    if (epochData.equals("shuffle")) {
      assertTrue(executors.size() >= 3, "the new executor trained: " + executors);
    }

    double top1 = disturbed.get(EPOCHS - 1).get("knn_top1").asDouble();
    double calmTop1 = undisturbed.get(EPOCHS - 1).get("knn_top1").asDouble();
    System.out.printf("k-NN top-1: random init %s, undisturbed %s, executor %s killed %s; final loss %s vs %s%n",
        undisturbed.get(EPOCHS - 1).get("knn_top1_random_init").asDouble(), calmTop1, victim.id(), top1,
        undisturbed.get(EPOCHS - 1).get("loss").asDouble(), disturbed.get(EPOCHS - 1).get("loss").asDouble());
    assertEquals(calmTop1, top1, 0, "k-NN top-1 against the undisturbed run's");
  }

  /**
   * Waits until the first epoch is done, then until an executor is in the middle of an averaging
   * round's task, and kills that executor's JVM (SIGKILL, by its PID: a child of a worker this test
   * started).
   */
  private static LocalCluster.Executor killDuringATrainingTask(Process driver, Path log, boolean roundsReadAShuffle)
      throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(600);
    while (!Files.readString(log, StandardCharsets.UTF_8).contains("epoch 1/" + EPOCHS)) {
      if (!driver.isAlive() || System.nanoTime() > deadline) {
        throw new AssertionError("no first epoch:\n" + Processes.tail(log));
      }
      Thread.sleep(200);
    }
    while (System.nanoTime() < deadline && driver.isAlive()) {
      for (LocalCluster.Executor e : cluster.executors()) {
        if (inRoundTask(e.stderr(cluster), roundsReadAShuffle)) {
          assertTrue(e.process().destroyForcibly(), "kill executor " + e.id());
          e.process().onExit().get(30, TimeUnit.SECONDS);
          System.out.println("killed executor " + e.id() + " (pid " + e.process().pid() + ") during an averaging round's task");
          return e;
        }
      }
      Thread.sleep(50);
    }
    throw new AssertionError("never saw an executor in an averaging round's task:\n" + Processes.tail(log));
  }

  /**
   * Whether the executor's log (Spark's INFO log) shows a task started and not finished, reading
   * shuffled blocks where rounds read a shuffle. In this job only an averaging round's tasks read a
   * shuffle (the epoch's batches); the epoch's shuffle writes, the listings and the k-NN embeddings
   * do not. With worker shards a round reads cached blocks, which Spark does not log; after epoch 1
   * it is then the only task an executor runs until the last epoch's evaluation.
   */
  private static boolean inRoundTask(Path stderr, boolean roundsReadAShuffle) throws IOException {
    List<String> lines = Files.readAllLines(stderr, StandardCharsets.ISO_8859_1);
    boolean readsShuffle = false;
    for (int i = lines.size() - 1; i >= 0; i--) {
      String line = lines.get(i);
      if (line.contains("Finished task")) {
        return false;
      }
      readsShuffle |= line.contains("ShuffleBlockFetcherIterator");
      if (line.contains("Running task")) {
        return readsShuffle || !roundsReadAShuffle;
      }
    }
    return false;
  }

  private static List<JsonNode> metrics(Path runDir) throws IOException {
    List<JsonNode> out = new ArrayList<>();
    for (String line : Files.readAllLines(runDir.resolve("metrics.jsonl"))) {
      out.add(new ObjectMapper().readTree(line));
    }
    return out;
  }
}
