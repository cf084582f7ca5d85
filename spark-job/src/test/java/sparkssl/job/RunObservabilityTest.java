package sparkssl.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import sparkssl.spark.run.HeadlessChromium;
import sparkssl.spark.run.RenderedReport;

/**
 * What a person watching a run sees, from one short local-mode run (2 epochs of 240 images and a
 * file that is not an image, its name holding markup; 8 averaging rounds an epoch, k-NN after each
 * epoch, progress every second): the report in headless Chromium, the progress lines, and the Spark jobs' groups and
 * descriptions.
 */
class RunObservabilityTest {
  private static final String BAD_NAME = "bad<b>&1.png";
  private static final Pattern PROGRESS = Pattern.compile(
      "epoch (\\d)/2  (\\d+)/(\\d+) images \\((\\d+)%\\)  (\\S+) images/s  ETA epoch (\\S+), run (\\S+)");
  private static final Pattern DURATION = Pattern.compile("\\d+s|\\d+m\\d\\ds|\\d+h\\d\\dm");

  @TempDir
  static Path tmp;
  static Path runDir;
  static List<JsonNode> metrics;

  @BeforeAll
  static void run() throws Exception {
    Path corpus = tmp.resolve("corpus");
    LocalModeJobTest.copySlice(LocalTrainRun.SAMPLE.resolve("train"), corpus, 24);
    Files.writeString(corpus.resolve(BAD_NAME), "not an image");
    LocalModeJobTest.copySlice(LocalTrainRun.SAMPLE.resolve("train"), tmp.resolve("eval-train"), 5);
    LocalModeJobTest.copySlice(LocalTrainRun.SAMPLE.resolve("test"), tmp.resolve("eval-test"), 3);
    runDir = tmp.resolve("run");
    RunRecorder.clear();
    LocalTrainRun.run("--corpus", corpus.toUri().toString(), "--eval-train", tmp.resolve("eval-train").toUri().toString(),
        "--eval-test", tmp.resolve("eval-test").toUri().toString(), "--run-dir", runDir.toString(), "--epochs", "2",
        "--batch-size", "8", "--workers", "2", "--averaging-frequency", "2", "--eval-every", "1",
        "--progress-interval", "1", "--conf", "spark.extraListeners=" + RunRecorder.class.getName());
    metrics = LocalTrainRun.metrics(runDir);
  }

  @Test
  void reportPlotsTheRecordedNumbersInChromium() throws Exception {
    assertEquals(2, metrics.size());
    try (HeadlessChromium browser = new HeadlessChromium(tmp.resolve("profile"))) {
      RenderedReport report = RenderedReport.open(browser, runDir.resolve("report.html"));
      assertEquals(List.of(), report.problems(), "no console errors");
      for (String key : List.of("loss", "images_per_s", "learning_rate")) {
        assertEquals(recorded(key), drawn(report.charts().get(key), key), key);
      }
      assertEquals(recorded("knn_top1"), drawn(report.charts().get("knn"), "knn_top1"));
      assertEquals(2, recorded("knn_top1").size(), "evaluated after epochs 1 and 2");
      assertEquals(recorded("knn_top1_random_init"), drawn(report.charts().get("knn"), "knn_top1_random_init"));
      assertEquals(1, recorded("knn_top1_random_init").size());
      assertEquals(recorded("knn_top1_pixels"), drawn(report.charts().get("knn"), "knn_top1_pixels"));
      assertEquals(List.of(2), List.copyOf(recorded("knn_top1_pixels").keySet()), "the pixels once, with the last epoch");
      for (String chart : List.of("rankme", "spread")) {
        for (String side : List.of("embedding", "projection")) {
          String key = "collapse." + side + "_" + (chart.equals("rankme") ? "rankme" : "std");
          assertEquals(recorded(key), drawn(report.charts().get(chart), key), key);
          assertEquals(2, recorded(key).size(), key);
        }
      }
      report.charts().values().forEach(RenderedReport.Chart::assertDrawnOnItsAxes);

      assertEquals("finished", report.text("#status"));
      ObjectMapper json = new ObjectMapper();
      assertEquals(json.readTree(runDir.resolve("config.json").toFile()), json.readTree(report.text("#config")),
          "the page shows config.json");
      assertTrue(report.text("#skipped-count").startsWith("1 file skipped"), report.text("#skipped-count"));
      assertTrue(report.text("#skipped li").contains(BAD_NAME + " (NOT_AN_IMAGE"), report.text("#skipped li"));
      assertEquals(2, report.count("#epochs tbody tr"));
    }
  }

  /**
   * Each epoch's data is read from storage and shuffled into its rounds (epoch 2's shuffle starts while
   * epoch 1 is checkpointed, and is still epoch 2's); the corpus's image bytes bound what is read.
   */
  @Test
  void everyEpochRecordsTheBytesItsDataMoved() throws Exception {
    long corpusBytes;
    try (var files = Files.walk(tmp.resolve("corpus"))) {
      corpusBytes = files.filter(Files::isRegularFile).mapToLong(f -> f.toFile().length()).sum();
    }
    for (JsonNode m : metrics) {
      JsonNode bytes = m.get("data_bytes");
      long stored = bytes.get("storage_read").asLong();
      assertTrue(stored >= corpusBytes && stored <= 1.1 * corpusBytes, m.get("epoch") + ": every image read from storage "
          + "once, by the tasks that read the corpus: " + stored + " of " + corpusBytes);
      long read = bytes.get("input").asLong();
      assertTrue(read >= corpusBytes / 2 && read <= 2 * corpusBytes, m.get("epoch") + ": read " + read + " of " + corpusBytes);
      assertTrue(bytes.get("shuffle_written").asLong() > read / 2, m.toString());
      assertEquals(bytes.get("shuffle_written").asLong(), bytes.get("shuffle_read").asLong(), 0.05 * read, m.toString());
    }
  }

  @Test
  void workersApplyTheLearningRateScaledByDefaultWithTheSquareRootOfTheWorkers() throws Exception {
    JsonNode config = new ObjectMapper().readTree(runDir.resolve("config.json").toFile());
    assertEquals("sqrt", config.get("lr_scaling").asText());
    assertEquals(1e-3, config.get("base_learning_rate").asDouble());
    double scaled = 1e-3 * Math.sqrt(2);
    assertEquals(scaled, config.at("/model/optimizer/learningRate").asDouble(), 1e-15);
    metrics.forEach(m -> assertEquals(scaled, m.get("learning_rate").asDouble(), 1e-9, "as the workers' networks applied it"));
    assertEquals("average", config.at("/outer_optimizer/kind").asText());
  }

  /** epoch → value of {@code key} ({@code collapse.embedding_std} for a nested one) in metrics.jsonl, where recorded. */
  private static Map<Integer, Double> recorded(String key) {
    String pointer = "/" + key.replace('.', '/');
    Map<Integer, Double> values = new LinkedHashMap<>();
    metrics.stream().filter(m -> !m.at(pointer).isMissingNode())
        .forEach(m -> values.put(m.get("epoch").asInt(), m.at(pointer).asDouble()));
    return values;
  }

  private static Map<Integer, Double> drawn(RenderedReport.Chart chart, String series) {
    assertNotNull(chart, "chart for " + series);
    Map<Integer, Double> values = new LinkedHashMap<>();
    chart.of(series).forEach(p -> assertEquals(null, values.put(p.epoch(), p.value()), "one marker per epoch"));
    return values;
  }

  @Test
  void progressLinesCountTheEpochsImages() {
    Map<Integer, List<long[]>> byEpoch = new LinkedHashMap<>();
    for (String line : RunRecorder.LOG) {
      Matcher m = PROGRESS.matcher(line);
      if (m.matches()) {
        int epoch = Integer.parseInt(m.group(1));
        long done = Long.parseLong(m.group(2));
        long total = Long.parseLong(m.group(3));
        JsonNode record = metrics.get(epoch - 1);
        long trained = record.get("images").asLong();
        assertTrue(total >= trained && total <= trained + record.get("skipped_files").asLong(), line + " vs " + record);
        assertTrue(done <= total, line);
        assertEquals(100 * done / total, Long.parseLong(m.group(4)), line);
        if (done > 0) {
          assertTrue(Double.parseDouble(m.group(5)) > 0, line);
          assertTrue(DURATION.matcher(m.group(6)).matches() && DURATION.matcher(m.group(7)).matches(), line);
        }
        byEpoch.computeIfAbsent(epoch, e -> new ArrayList<>()).add(new long[] {done, total});
      }
    }
    assertTrue(byEpoch.values().stream().flatMap(List::stream).filter(x -> x[0] > 0 && x[0] < x[1]).count() >= 2,
        "lines from within epochs: " + RunRecorder.LOG);
    byEpoch.forEach((epoch, lines) -> {
      for (int i = 1; i < lines.size(); i++) {
        assertTrue(lines.get(i)[0] >= lines.get(i - 1)[0], "images done never go back in epoch " + epoch);
      }
    });
    List<String> epochLines = RunRecorder.LOG.stream().filter(l -> l.matches("epoch \\d/2  loss .*")).toList();
    assertEquals(2, epochLines.size(), RunRecorder.LOG.toString());
    assertTrue(epochLines.get(0).matches(".* images/s .*  run ETA (" + DURATION.pattern() + ")"), epochLines.get(0));
    assertTrue(epochLines.get(1).endsWith("run ETA 0s"), epochLines.get(1));
  }

  @Test
  void sparkJobsNameTheirEpochAndPhase() {
    List<RunRecorder.Job> jobs = RunRecorder.JOBS;
    assertFalse(jobs.isEmpty());
    for (RunRecorder.Job job : jobs) {
      assertNotNull(job.group(), "every job is in a group: " + job);
      assertNotNull(job.description(), "every job is described: " + job);
    }
    // a folder is listed by a walk on the driver: training's first round is the run's first Spark job
    assertEquals("epoch 1/2: augment + train, round 1 of " + metrics.get(0).get("averaging_rounds").asInt(),
        jobs.get(0).description(), jobs.toString());
    for (int epoch = 1; epoch <= 2; epoch++) {
      String group = "epoch-" + epoch;
      Set<String> described = jobs.stream().filter(j -> j.group().equals(group)).map(RunRecorder.Job::description)
          .collect(Collectors.toCollection(TreeSet::new));
      int rounds = metrics.get(epoch - 1).get("averaging_rounds").asInt();
      Set<String> expected = new TreeSet<>();
      for (int r = 1; r <= rounds; r++) {
        expected.add("epoch " + epoch + "/2: augment + train, round " + r + " of " + rounds);
      }
      expected.add("epoch " + epoch + "/2: k-NN evaluation, trained encoder");
      if (epoch == 1) {
        expected.add("epoch 1/2: epoch 2's shuffle, started early");
      }
      if (epoch == 2) {
        expected.add("epoch 2/2: k-NN evaluation, random-init encoder");
        expected.add("epoch 2/2: k-NN evaluation, raw pixels");
      }
      assertEquals(expected, described, group);
    }
  }
}
