package sparkssl.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import sparkssl.spark.ml.LocalSpark;

/** {@code eval} on the model of a short train run, against what that run reported. */
class EvalCommandTest {
  /** A row of eval's k-NN table: k, temperature, top1, percent, correct/queries, random init's and the pixels' percent. */
  private static final Pattern ROW = Pattern.compile(
      "(?m)^\\s*(\\d+)\\s+(\\S+)\\s+(\\S+)\\s+\\S+%\\s+(\\d+)/(\\d+)\\s+(\\S+)%\\s+(\\S+)%$");
  /** A row of eval's linear-probe table: features, top1, percent, correct/queries, reg_param. */
  private static final Pattern LINEAR_ROW = Pattern.compile("(?m)^(trained|random-init|pixels)\\s+(\\S+)\\s+\\S+%\\s+(\\d+)/(\\d+)\\s+(\\S+)\\s");

  @TempDir
  Path tmp;

  @Test
  void reproducesWhatTrainReportedExactlyAndSweeps() throws Exception {
    TrainedRun run = TrainedRun.get();
    JsonNode record = LocalTrainRun.metrics(run.runDir).get(0);
    double reported = record.get("knn_top1").asDouble();

    CommandRun eval = CommandRun.of("eval", "--model", run.model().toString(), "--protocol", "knn,linear",
        "--knn-k", "20,5", "--knn-temperature", "0.07,0.5",
        "--eval-train", TrainedRun.evalTrain(), "--eval-test", TrainedRun.evalTest(), "--master", "local[2]", "--conf", "spark.ui.enabled=false");
    assertEquals(0, eval.code(), eval.err());
    Map<String, Double> top1 = new LinkedHashMap<>();
    Map<String, String> randomInit = new LinkedHashMap<>();
    Map<String, String> pixels = new LinkedHashMap<>();
    Matcher m = ROW.matcher(eval.out());
    while (m.find()) {
      top1.put(m.group(1) + " " + m.group(2), Double.parseDouble(m.group(3)));
      randomInit.put(m.group(1) + " " + m.group(2), m.group(6));
      pixels.put(m.group(1) + " " + m.group(2), m.group(7));
      assertEquals(500, Integer.parseInt(m.group(5)), eval.out());
    }
    assertEquals(java.util.List.of("20 0.07", "20 0.5", "5 0.07", "5 0.5"), java.util.List.copyOf(top1.keySet()), eval.out());
    assertEquals(reported, top1.get("20 0.07"), 0.0, "eval of the saved model reproduces train's k-NN top-1 exactly:\n" + eval.out());
    assertTrue(eval.out().contains("2000 images in 10 classes"), eval.out());
    // the random-init encoder is rebuilt from the model file's configuration, whose seed draws train's initial weights again
    assertEquals(String.format(java.util.Locale.ROOT, "%.2f", 100 * record.get("knn_top1_random_init").asDouble()),
        randomInit.get("20 0.07"), eval.out());
    assertEquals(String.format(java.util.Locale.ROOT, "%.2f", 100 * record.get("knn_top1_pixels").asDouble()), pixels.get("20 0.07"),
        eval.out());

    Matcher linear = LINEAR_ROW.matcher(eval.out());
    for (String features : java.util.List.of("trained", "random-init", "pixels")) {
      assertTrue(linear.find(), eval.out());
      assertEquals(features, linear.group(1));
      String suffix = features.equals("trained") ? "" : "_" + features.replace('-', '_');
      assertEquals(record.get("linear_top1" + suffix).asDouble(), Double.parseDouble(linear.group(2)), 0.0, eval.out());
      assertEquals(record.get("linear_reg_param" + suffix).asDouble(), Double.parseDouble(linear.group(5)), 0.0, eval.out());
    }
  }

  @Test
  void refusesAFileThatIsNotAModelBeforeAnySparkJob() throws Exception {
    Path png = LocalTrainRun.SAMPLE.resolve("test/bag").toFile().listFiles()[0].toPath();
    Path zip = tmp.resolve("notes.zip");
    try (var out = new java.util.zip.ZipOutputStream(Files.newOutputStream(zip))) {
      out.putNextEntry(new java.util.zip.ZipEntry("notes.txt"));
      out.write("not a model".getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }
    for (Path notAModel : new Path[] {png, zip}) {
      // eval's session is this one (getOrCreate), so the counter sees every job eval starts
      SparkSession spark = LocalSpark.start("eval-not-a-model");
      LocalSpark.JobCounter jobs = LocalSpark.JobCounter.on(spark);
      CommandRun eval = CommandRun.of("eval", "--model", notAModel.toString(), "--master", "local[2]");
      assertEquals(2, eval.code(), eval.err());
      assertTrue(eval.err().contains("--model: " + notAModel + " is not a spark-ssl model"), eval.err());
      assertEquals(0, jobs.started(), "refused before any Spark job");
      assertTrue(spark.sparkContext().isStopped());
    }
  }

  @Test
  void aBankTheLinearProbeCannotUseIsRefusedBeforeAnySparkJob() throws Exception {
    Path model = Path.of("src/test/resources/eval-reference/model.zip").toAbsolutePath();
    Path oneClass = tmp.resolve("one-class");
    Files.copy(LocalTrainRun.SAMPLE.resolve("test/bag").toFile().listFiles()[0].toPath(),
        Files.createDirectories(oneClass.resolve("bag")).resolve("1.png"));
    Path few = tmp.resolve("few");
    LocalModeJobTest.copySlice(LocalTrainRun.SAMPLE.resolve("train"), few, 3);
    Map<Path, String> refusals = Map.of(oneClass, "the linear probe needs at least 2 classes, got 1",
        few, "30 images in 10 classes are too few for the linear probe");
    for (Map.Entry<Path, String> bank : refusals.entrySet()) {
      // eval's session is this one (getOrCreate), so the counter sees every job eval starts
      SparkSession spark = LocalSpark.start("eval-probe-bank");
      LocalSpark.JobCounter jobs = LocalSpark.JobCounter.on(spark);
      CommandRun eval = CommandRun.of("eval", "--model", model.toString(), "--protocol", "linear", "--eval-train",
          bank.getKey().toUri().toString(), "--eval-test", TrainedRun.evalTest(), "--master", "local[2]");
      assertEquals(2, eval.code(), eval.err());
      assertTrue(eval.err().contains("--eval-train " + bank.getKey().toUri() + ": " + bank.getValue()), eval.err());
      assertEquals(0, jobs.started(), "refused before any Spark job");
    }
  }

  @Test
  void badSweepValuesExitTwo() {
    CommandRun k = CommandRun.of("eval", "--model", "x.zip", "--knn-k", "20,0");
    assertEquals(2, k.code());
    assertTrue(k.err().contains("--knn-k values must be >= 1, got 0"), k.err());
    CommandRun t = CommandRun.of("eval", "--model", "x.zip", "--knn-temperature", "0.07,-1");
    assertEquals(2, t.code());
    assertTrue(t.err().contains("--knn-temperature values must be > 0, got -1.0"), t.err());
    CommandRun noModel = CommandRun.of("eval");
    assertEquals(2, noModel.code());
    assertTrue(noModel.err().contains("Missing required option: '--model=PATH'"), noModel.err());
  }
}
