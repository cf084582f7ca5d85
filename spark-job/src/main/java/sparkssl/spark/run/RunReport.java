package sparkssl.spark.run;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import sparkssl.spark.run.LineChart.Point;
import sparkssl.spark.run.LineChart.Series;
import sparkssl.spark.run.LineChart.Unit;

/**
 * {@code report.html}: one page that opens offline, with no script and nothing fetched, built from a
 * run's {@code config.json} and {@code metrics.jsonl} text (so it shows exactly the recorded numbers):
 * a summary, plots over epochs (loss, images/s, k-NN top-1 and, when the run probes, linear-probe top-1
 * of the trained encoder with its baselines, the encoder at random init and the raw pixels, as levels;
 * learning rate, and those of {@link #WHEN_RECORDED} that the records hold), a table per epoch, the
 * skipped files and the configuration. Every text from the run is escaped.
 */
public final class RunReport {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss z", Locale.ROOT);

  /** One plotted quantity: where a metrics record holds it (a JSON pointer), its name and colour. */
  record Metric(String pointer, String label, String color) {
    /** Its name on the page: the pointer with dots, {@code collapse.embedding_std}. */
    String key() {
      return pointer.substring(1).replace('/', '.');
    }

    boolean isIn(JsonNode record) {
      JsonNode v = record.at(pointer);
      return !v.isMissingNode() && !v.isNull();
    }

    double in(JsonNode record) {
      return record.at(pointer).asDouble();
    }
  }

  /** A plot of some metrics over epochs. */
  record Plot(String key, String title, Unit unit, List<Metric> metrics) {}

  private static final Metric LOSS = new Metric("/loss", "loss", "#2563eb");
  private static final Metric SPEED = new Metric("/images_per_s", "images/s", "#059669");
  private static final Metric KNN = new Metric("/knn_top1", "trained encoder", "#7c3aed");
  private static final Metric KNN_RANDOM = new Metric("/knn_top1_random_init", "same encoder at random init", "#9ca3af");
  private static final Metric KNN_PIXELS = new Metric("/knn_top1_pixels", "raw pixels", "#ea580c");
  private static final Metric LINEAR = new Metric("/linear_top1", "trained encoder", "#7c3aed");
  private static final Metric LINEAR_RANDOM = new Metric("/linear_top1_random_init", "same encoder at random init", "#9ca3af");
  private static final Metric LINEAR_PIXELS = new Metric("/linear_top1_pixels", "raw pixels", "#ea580c");
  private static final Metric LINEAR_REG = new Metric("/linear_reg_param", "linear reg_param", "");
  private static final Metric LR = new Metric("/learning_rate", "learning rate", "#d97706");
  private static final Metric IMAGES = new Metric("/images", "images", "");
  private static final Metric WALL = new Metric("/wall_s", "wall s", "");
  private static final Metric SKIPPED = new Metric("/skipped_files", "skipped files", "");
  /** Plotted, and given table columns, when the records hold them: the EMA teacher, representation collapse, what the epoch's data cost. */
  static final List<Plot> WHEN_RECORDED = List.of(
      new Plot("teacher_momentum", "Teacher momentum (EMA, at the epoch's last step)", Unit.NUMBER,
          List.of(new Metric("/teacher_momentum", "teacher momentum", "#4d7c0f"))),
      new Plot("rankme", "RankMe (effective rank), fixed sample", Unit.NUMBER,
          List.of(new Metric("/collapse/embedding_rankme", "embedding RankMe", "#db2777"),
              new Metric("/collapse/projection_rankme", "projection RankMe", "#f59e0b"))),
      new Plot("spread", "Spread (relative std), fixed sample", Unit.NUMBER,
          List.of(new Metric("/collapse/embedding_std", "embedding std", "#0891b2"),
              new Metric("/collapse/projection_std", "projection std", "#6366f1"))),
      new Plot("data_bytes", "Data moved by the epoch (bytes)", Unit.NUMBER,
          List.of(new Metric("/data_bytes/input", "task input (files, cached shards)", "#0d9488"),
              new Metric("/data_bytes/shuffle_written", "shuffle written", "#b91c1c"))),
      new Plot("s3_requests", "S3 requests to the corpus's bucket", Unit.NUMBER,
          List.of(new Metric("/s3_requests/list", "LIST", "#7c2d12"), new Metric("/s3_requests/head", "HEAD", "#a16207"),
              new Metric("/s3_requests/get", "GET", "#1d4ed8"))));
  private static final String COLLAPSED = "/collapse/collapsed";

  private RunReport() {}

  /** The page for a run whose configuration and metrics so far are given as the files' text. */
  public static String html(String configJson, String metricsJsonl, Instant written) {
    JsonNode config = parse(configJson);
    List<JsonNode> records = new ArrayList<>();
    for (String line : metricsJsonl.split("\n")) {
      if (!line.isBlank()) {
        records.add(parse(line));
      }
    }
    return new Page(config, records, written).render();
  }

  private static JsonNode parse(String json) {
    try {
      return JSON.readTree(json);
    } catch (IOException e) {
      throw new UncheckedIOException("not JSON: " + e.getMessage(), e);
    }
  }

  /** One rendering of the page. */
  private record Page(JsonNode config, List<JsonNode> records, Instant written) {
    String render() {
      StringBuilder out = new StringBuilder(32_768);
      String runDir = config.path("run_dir").asText("");
      out.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
          .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
          .append("<title>spark-ssl run ").append(Html.escape(runDir)).append("</title>\n")
          .append("<style>").append(STYLE).append("</style>\n</head>\n<body>\n");
      header(out, runDir);
      collapseWarning(out);
      summary(out);
      charts(out);
      epochTable(out);
      skipped(out);
      out.append("<section><h2>Configuration</h2><p class=\"muted\">config.json, Spark settings that look like "
          + "secrets redacted</p>\n<pre id=\"config\">").append(Html.escape(config.toPrettyString())).append("</pre></section>\n");
      out.append("<footer>Numbers from metrics.jsonl in the same run directory; this page is rewritten after every "
          + "epoch.</footer>\n</body>\n</html>\n");
      return out.toString();
    }

    private int plannedEpochs() {
      return Math.max(config.path("epochs").asInt(0), lastEpoch());
    }

    private int lastEpoch() {
      return records.isEmpty() ? 0 : records.get(records.size() - 1).path("epoch").asInt();
    }

    private void header(StringBuilder out, String runDir) {
      int done = lastEpoch();
      boolean finished = done >= config.path("epochs").asInt(Integer.MAX_VALUE);
      out.append("<header><h1>spark-ssl run</h1>\n<p class=\"run-dir\">").append(Html.escape(runDir)).append("</p>\n")
          .append("<p class=\"muted\"><span id=\"status\" class=\"").append(finished ? "finished" : "running")
          .append("\">").append(finished ? "finished" : "running").append("</span> · epoch ").append(done)
          .append(" of ").append(config.path("epochs").asInt(done)).append(" · method ")
          .append(Html.escape(config.path("model").path("method").asText("?"))).append(" · ")
          .append(config.path("workers").asInt()).append(" workers × ").append(config.path("batch_size_per_worker").asInt())
          .append(" images, averaging every ").append(config.path("averaging_frequency").asInt()).append(" steps")
          .append(" · written ").append(Html.escape(TIME.format(written.atZone(ZoneId.systemDefault()))))
          .append("</p></header>\n");
    }

    private void summary(StringBuilder out) {
      out.append("<section class=\"tiles\">\n");
      if (!records.isEmpty()) {
        JsonNode first = records.get(0);
        JsonNode last = records.get(records.size() - 1);
        tile(out, "loss", String.format(Locale.ROOT, "%.4f", last.path("loss").asDouble()),
            String.format(Locale.ROOT, "epoch 1: %.4f", first.path("loss").asDouble()));
        tile(out, "images/s", String.format(Locale.ROOT, "%.0f", last.path("images_per_s").asDouble()), "last epoch");
        scoreTile(out, "k-NN top-1", KNN, KNN_RANDOM, KNN_PIXELS, "");
        if (probes()) {
          JsonNode linear = lastWith(LINEAR);
          scoreTile(out, "linear probe top-1", LINEAR, LINEAR_RANDOM, LINEAR_PIXELS,
              linear == null ? "" : ", reg_param " + String.format(Locale.ROOT, "%.0e", LINEAR_REG.in(linear)));
        }
        double wall = records.stream().mapToDouble(r -> r.path("wall_s").asDouble()).sum();
        tile(out, "training time", Durations.format(wall), records.size() + " epochs");
        tile(out, "skipped files", Long.toString(last.path("skipped_files").asLong()), "not decodable");
      }
      out.append("</section>\n");
    }

    /** A protocol's last top-1 of the trained encoder, with its epoch, {@code more} and the baselines. */
    private void scoreTile(StringBuilder out, String label, Metric trained, Metric random, Metric pixels, String more) {
      JsonNode at = lastWith(trained);
      JsonNode last = records.get(records.size() - 1);
      tile(out, label, at == null ? "–" : percent(trained.in(at)),
          at == null ? "not evaluated yet" : "epoch " + at.path("epoch").asInt() + more
              + (random.isIn(last) ? ", random init " + percent(random.in(last)) : "")
              + (pixels.isIn(last) ? ", raw pixels " + percent(pixels.in(last)) : ""));
    }

    /** Whether the run asks for the linear probe, or (a run from before the option) has its numbers. */
    private boolean probes() {
      boolean asked = false;
      for (JsonNode p : config.path("eval_protocol")) {
        asked |= p.asText().equals("linear");
      }
      return asked || recorded(LINEAR);
    }

    private static void tile(StringBuilder out, String label, String value, String detail) {
      out.append("<div class=\"tile\"><div class=\"label\">").append(Html.escape(label))
          .append("</div><div class=\"value\">").append(Html.escape(value)).append("</div><div class=\"muted\">")
          .append(Html.escape(detail)).append("</div></div>\n");
    }

    /** A warning, above everything else, when the records flag representation collapse. */
    private void collapseWarning(StringBuilder out) {
      List<String> epochs = records.stream().filter(r -> r.at(COLLAPSED).asBoolean())
          .map(r -> r.path("epoch").asText()).toList();
      if (!epochs.isEmpty()) {
        out.append("<p class=\"alert\" id=\"collapse-alert\">Representation collapse after epoch")
            .append(epochs.size() > 1 ? "s " : " ").append(Html.escape(String.join(", ", epochs)))
            .append(": the projections' spread or an effective rank on the fixed sample fell below healthy levels "
                + "(see the plots below and the log's REPRESENTATION COLLAPSE warning).</p>\n");
      }
    }

    private JsonNode lastWith(Metric m) {
      for (int i = records.size() - 1; i >= 0; i--) {
        if (m.isIn(records.get(i))) {
          return records.get(i);
        }
      }
      return null;
    }

    private void charts(StringBuilder out) {
      out.append("<section class=\"charts\">\n");
      chart(out, "loss", "Loss (mean over the epoch)", Unit.NUMBER, List.of(series(LOSS, false)), null);
      chart(out, "images_per_s", "Images per second", Unit.NUMBER, List.of(series(SPEED, false)), null);
      int evaluated = (int) records.stream().filter(KNN::isIn).count();
      String evalNote = config.path("skip_eval").asBoolean() ? "not evaluated: the run has --skip-eval"
          : evaluated <= 1 && config.path("eval_every").asInt() == 0
              ? "evaluated after the last epoch only (--eval-every N evaluates every N epochs)" : null;
      chart(out, "knn", "k-NN top-1", Unit.PERCENT,
          List.of(series(KNN, false), series(KNN_RANDOM, true), series(KNN_PIXELS, true)), evalNote);
      if (probes()) {
        chart(out, "linear", "Linear probe top-1", Unit.PERCENT,
            List.of(series(LINEAR, false), series(LINEAR_RANDOM, true), series(LINEAR_PIXELS, true)), evalNote);
      }
      chart(out, "learning_rate", "Learning rate (at the epoch's last step)", Unit.NUMBER, List.of(series(LR, false)),
          null);
      for (Plot plot : WHEN_RECORDED) {
        if (plot.metrics().stream().anyMatch(this::recorded)) {
          chart(out, plot.key(), plot.title(), plot.unit(), plot.metrics().stream().map(m -> series(m, false)).toList(),
              null);
        }
      }
      out.append("</section>\n");
    }

    private Series series(Metric m, boolean reference) {
      List<Point> points = new ArrayList<>();
      for (JsonNode r : records) {
        if (m.isIn(r)) {
          points.add(new Point(r.path("epoch").asInt(), m.in(r)));
        }
      }
      return new Series(m.key(), m.label(), m.color(), reference, points);
    }

    private boolean recorded(Metric m) {
      return records.stream().anyMatch(m::isIn);
    }

    private void chart(StringBuilder out, String key, String title, Unit unit, List<Series> series, String note) {
      LineChart chart = new LineChart(key, title, unit, series, 1, Math.max(1, plannedEpochs()));
      out.append("<figure class=\"chart-box\">\n<figcaption><strong>").append(Html.escape(title)).append("</strong>");
      if (series.size() > 1) {
        for (Series s : series) {
          out.append(" <span class=\"key").append(s.reference() ? " dashed" : "").append("\" style=\"--c:")
              .append(Html.escape(s.color())).append("\">").append(Html.escape(s.label())).append("</span>");
        }
      }
      out.append("</figcaption>\n").append(chart.svg()).append('\n');
      List<String> notPlotted = chart.notPlotted();
      if (!notPlotted.isEmpty()) {
        out.append("<p class=\"note not-plotted\" id=\"not-plotted-").append(Html.escape(key)).append("\">not plotted: ")
            .append(Html.escape(String.join("; ", notPlotted.subList(0, Math.min(4, notPlotted.size())))))
            .append(notPlotted.size() > 4 ? "; ..." : "").append("</p>\n");
      }
      if (note != null) {
        out.append("<p class=\"muted note\">").append(Html.escape(note)).append("</p>\n");
      }
      out.append("</figure>\n");
    }

    private void epochTable(StringBuilder out) {
      List<Metric> extra = WHEN_RECORDED.stream().flatMap(p -> p.metrics().stream()).filter(this::recorded).toList();
      out.append("<section><h2>Epochs</h2>\n<table id=\"epochs\">\n<thead><tr><th>epoch</th><th>loss</th>"
          + "<th>images/s</th><th>images</th><th>wall s</th><th>learning rate</th><th>k-NN top-1</th>"
          + (probes() ? "<th>linear top-1</th><th>linear reg_param</th>" : "") + "<th>skipped files</th>");
      extra.forEach(m -> out.append("<th>").append(Html.escape(m.label())).append("</th>"));
      out.append("</tr></thead>\n<tbody>\n");
      for (JsonNode r : records) {
        out.append("<tr><td>").append(r.path("epoch").asInt()).append("</td>")
            .append(cell(r, LOSS, "%.4f")).append(cell(r, SPEED, "%.1f")).append(cell(r, IMAGES, "%.0f"))
            .append(cell(r, WALL, "%.1f")).append(cell(r, LR, "%.3g"))
            .append("<td>").append(KNN.isIn(r) ? percent(KNN.in(r)) : "").append("</td>");
        if (probes()) {
          out.append("<td>").append(LINEAR.isIn(r) ? percent(LINEAR.in(r)) : "").append("</td>").append(cell(r, LINEAR_REG, "%.0e"));
        }
        out.append(cell(r, SKIPPED, "%.0f"));
        extra.forEach(m -> out.append(cell(r, m, "%.4g")));
        out.append("</tr>\n");
      }
      out.append("</tbody></table></section>\n");
    }

    private static String cell(JsonNode r, Metric m, String format) {
      return "<td>" + (m.isIn(r) ? Html.escape(String.format(Locale.ROOT, format, m.in(r))) : "") + "</td>";
    }

    private void skipped(StringBuilder out) {
      JsonNode last = records.isEmpty() ? JSON.createObjectNode() : records.get(records.size() - 1);
      long count = last.path("skipped_files").asLong();
      out.append("<section><h2>Skipped files</h2>\n<p id=\"skipped-count\">");
      if (count == 0) {
        out.append("None: every listed image decoded.</p>\n");
      } else {
        JsonNode examples = last.path("skipped_examples");
        out.append(count).append(count == 1 ? " file" : " files").append(" skipped (counted once, left out of later "
            + "epochs)").append(examples.size() > 0 ? ", for example:" : ".").append("</p>\n<ul id=\"skipped\">\n");
        examples.forEach(e -> out.append("<li><code>").append(Html.escape(e.asText())).append("</code></li>\n"));
        out.append("</ul>\n");
      }
      out.append("</section>\n");
    }
  }

  private static String percent(double v) {
    return String.format(Locale.ROOT, "%.2f%%", 100 * v);
  }

  private static final String STYLE = """
      :root{color-scheme:light;--fg:#111827;--muted:#6b7280;--line:#e5e7eb}
      *{box-sizing:border-box}
      body{margin:0 auto;max-width:1240px;padding:20px 24px 40px;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif;color:var(--fg);background:#f9fafb}
      h1{font-size:22px;margin:0}
      h2{font-size:16px;margin:28px 0 8px}
      .run-dir{font-family:ui-monospace,"DejaVu Sans Mono",monospace;margin:4px 0;word-break:break-all}
      .muted{color:var(--muted);margin:2px 0}
      #status{font-weight:600;padding:1px 8px;border-radius:9px}
      #status.running{background:#fef3c7;color:#92400e}
      #status.finished{background:#d1fae5;color:#065f46}
      .tiles{display:grid;grid-template-columns:repeat(auto-fill,minmax(180px,1fr));gap:10px;margin:16px 0}
      .tile{background:#fff;border:1px solid var(--line);border-radius:8px;padding:10px 12px}
      .tile .label{color:var(--muted);font-size:12px;text-transform:uppercase;letter-spacing:.04em}
      .tile .value{font-size:22px;font-weight:600;font-variant-numeric:tabular-nums}
      .charts{display:grid;grid-template-columns:repeat(auto-fill,minmax(460px,1fr));gap:12px}
      .chart-box{margin:0;background:#fff;border:1px solid var(--line);border-radius:8px;padding:10px 12px}
      figcaption{margin-bottom:4px}
      .key{margin-left:10px;font-size:12px;color:var(--muted);white-space:nowrap}
      .key::before{content:"";display:inline-block;width:18px;height:0;border-top:3px solid var(--c);vertical-align:middle;margin-right:5px}
      .key.dashed::before{border-top-style:dashed}
      .note{font-size:12px}
      svg.chart{width:100%;height:auto;display:block}
      .not-plotted{color:#b91c1c;margin:2px 0}
      .alert{background:#fee2e2;border:1px solid #fca5a5;color:#991b1b;border-radius:8px;padding:10px 12px;font-weight:600}
      table{border-collapse:collapse;background:#fff;font-variant-numeric:tabular-nums}
      th,td{border:1px solid var(--line);padding:3px 10px;text-align:right}
      th{background:#f3f4f6;font-weight:600}
      ul{margin:4px 0;padding-left:22px}
      code,pre{font-family:ui-monospace,"DejaVu Sans Mono",monospace;font-size:12px}
      code{word-break:break-all}
      pre{background:#fff;border:1px solid var(--line);border-radius:8px;padding:10px 12px;overflow:auto;max-height:480px}
      footer{margin-top:28px;color:var(--muted);font-size:12px}
      """;
}
