package sparkssl.spark.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A report of a run that is still going, with markup in its paths and file names, a diverged loss
 * and metrics only some runs record, opened in headless Chromium: the page shows the text as text, runs nothing
 * it was not meant to, and plots exactly the finite values.
 */
class RunReportBrowserTest {
  @TempDir
  Path tmp;

  @Test
  void escapesRunTextAndPlotsOnlyFiniteValues() throws Exception {
    String config = """
        {"run_dir": "s3a://bucket/runs/</title><script>console.error('run_dir')</script>", "epochs": 4,
         "skip_eval": false, "eval_every": 0, "eval_protocol": ["knn", "linear"], "workers": 2, "batch_size_per_worker": 64, "averaging_frequency": 4,
         "model": {"method": "simclr"}, "spark_conf": {"spark.hadoop.fs.s3a.secret.key": "<redacted>"}}""";
    String bad = "/data/<img src=x onerror=console.error(1)>.png (CORRUPT: <b>bad</b> & worse)";
    String metrics = String.join("\n",
        "{\"epoch\":1,\"loss\":4.1,\"images_per_s\":310.5,\"learning_rate\":2.0E-5,"
            + "\"collapse\":{\"embedding_std\":0.45,\"embedding_rankme\":40.0,\"projection_std\":0.8,\"projection_rankme\":30.5,\"collapsed\":false},\"teacher_momentum\":0.99,"
            + "\"data_bytes\":{\"input\":3.0E7,\"shuffle_written\":2.9E7,\"shuffle_read\":2.9E7},\"s3_requests\":{\"list\":3,\"head\":100,\"get\":160},"
            + "\"skipped_files\":1,\"skipped_examples\":[\"" + bad + "\"],\"wall_s\":6.0}",
        "{\"epoch\":2,\"loss\":3.7,\"images_per_s\":402.25,\"learning_rate\":1.25E-5,"
            + "\"collapse\":{\"embedding_std\":0.4,\"embedding_rankme\":35.5,\"projection_std\":0.5,\"projection_rankme\":20.25,\"collapsed\":false},\"teacher_momentum\":0.995,"
            + "\"knn_top1\":0.7125,\"knn_top1_random_init\":0.5,\"knn_top1_pixels\":0.75,\"linear_top1\":0.775,"
            + "\"linear_reg_param\":0.001,\"linear_top1_random_init\":0.625,\"linear_reg_param_random_init\":0.01,"
            + "\"linear_top1_pixels\":0.8,\"linear_reg_param_pixels\":0.1,"
            + "\"data_bytes\":{\"input\":1.5E8,\"shuffle_written\":0,\"shuffle_read\":0},\"s3_requests\":{\"list\":0,\"head\":2,\"get\":0},\"skipped_files\":1,\"skipped_examples\":[\"" + bad + "\"],\"wall_s\":5.0}",
        "{\"epoch\":3,\"loss\":\"NaN\",\"images_per_s\":398.0,\"learning_rate\":5.0E-6,"
            + "\"collapse\":{\"embedding_std\":0.1,\"embedding_rankme\":2.5,\"projection_std\":0.05,\"projection_rankme\":1.25,\"collapsed\":true},\"teacher_momentum\":1.0,"
            + "\"skipped_files\":1,\"skipped_examples\":[\"" + bad + "\"],\"wall_s\":5.5}", "");
    Path page = tmp.resolve("report.html");
    Files.writeString(page, RunReport.html(config, metrics, Instant.now()), StandardCharsets.UTF_8);

    try (HeadlessChromium browser = new HeadlessChromium(tmp.resolve("profile"))) {
      RenderedReport report = RenderedReport.open(browser, page);
      assertEquals(List.of(), report.problems(), "no console errors");
      assertEquals(0, report.count("script, img, b"), "markup from the run stays text");
      assertTrue(browser.evaluate("document.title").asText().contains("<script>console.error('run_dir')</script>"));
      assertTrue(report.text(".run-dir").endsWith("</title><script>console.error('run_dir')</script>"));
      assertEquals(bad, report.text("#skipped li"));
      assertTrue(report.text("#skipped-count").startsWith("1 file skipped"));
      assertTrue(report.text("#config").contains("\"<redacted>\""));
      assertEquals("running", report.text("#status"));

      RenderedReport.Chart loss = report.charts().get("loss");
      assertEquals(List.of(1, 2), loss.points().stream().map(RenderedReport.Point::epoch).toList(),
          "the NaN of epoch 3 is left out");
      assertEquals(3.7, loss.of("loss").get(1).value());
      assertTrue(report.text("#not-plotted-loss").endsWith("epoch 3: NaN"));
      assertEquals(List.of(40.0, 35.5, 2.5), report.charts().get("rankme").of("collapse.embedding_rankme").stream()
          .map(RenderedReport.Point::value).toList(), "the collapse metrics the records hold get their charts");
      assertEquals(List.of(0.8, 0.5, 0.05), report.charts().get("spread").of("collapse.projection_std").stream()
          .map(RenderedReport.Point::value).toList());
      assertTrue(report.text("#collapse-alert").startsWith("Representation collapse after epoch 3:"));
      assertEquals(List.of(0.7125), report.charts().get("knn").of("knn_top1").stream()
          .map(RenderedReport.Point::value).toList());
      for (String protocol : List.of("knn", "linear")) {
        RenderedReport.Chart chart = report.charts().get(protocol);
        assertEquals(List.of(2), chart.of(protocol + "_top1_pixels").stream().map(RenderedReport.Point::epoch).toList());
        assertEquals(List.of(2), chart.of(protocol + "_top1_random_init").stream().map(RenderedReport.Point::epoch).toList());
        for (String baseline : List.of("_random_init", "_pixels")) {
          assertEquals(1, report.count("svg[data-chart='" + protocol + "'] g[data-series='" + protocol + "_top1" + baseline
              + "'] line.level"), protocol + baseline + " is a level across the chart");
        }
      }
      assertEquals(List.of(0.775), report.charts().get("linear").of("linear_top1").stream().map(RenderedReport.Point::value).toList());
      assertTrue(report.text("#epochs").contains("1e-03"), "the chosen reg_param in the table: " + report.text("#epochs"));
      assertEquals(List.of(0.99, 0.995, 1.0),
          report.charts().get("teacher_momentum").points().stream().map(RenderedReport.Point::value).toList());
      assertEquals(List.of(160.0, 0.0), report.charts().get("s3_requests").of("s3_requests.get").stream()
          .map(RenderedReport.Point::value).toList(), "the S3 GETs of the epochs that record them");
      assertEquals(List.of(2.9e7, 0.0), report.charts().get("data_bytes").of("data_bytes.shuffle_written").stream()
          .map(RenderedReport.Point::value).toList());
      assertEquals(List.of("loss", "images_per_s", "knn", "linear", "learning_rate", "teacher_momentum", "rankme", "spread",
              "data_bytes", "s3_requests"),
          List.copyOf(report.charts().keySet()));
      report.charts().values().forEach(RenderedReport.Chart::assertDrawnOnItsAxes);
    }
  }
}
