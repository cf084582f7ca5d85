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
 * a summary, plots over epochs (loss, images/s, k-NN top-1 trained and at random init, learning rate,
 * and those of {@link #WHEN_RECORDED} that the records hold), a table per epoch, the skipped files and
 * the configuration. Every text from the run is escaped.
 */
public final class RunReport {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss z", Locale.ROOT);

  /** A metric plotted on its own when the records hold it. */
  record Metric(String key, String title, Unit unit, String color) {}

  private static final Metric LOSS = new Metric("loss", "Loss (mean over the epoch)", Unit.NUMBER, "#2563eb");
  private static final Metric SPEED = new Metric("images_per_s", "Images per second", Unit.NUMBER, "#059669");
  private static final Metric KNN = new Metric("knn_top1", "trained encoder", Unit.PERCENT, "#7c3aed");
  private static final Metric KNN_RANDOM = new Metric("knn_top1_random_init", "same encoder at random init",
      Unit.PERCENT, "#9ca3af");
  private static final Metric LR = new Metric("learning_rate", "Learning rate (at the epoch's last step)",
      Unit.NUMBER, "#d97706");
  /** Metrics that only some methods or runs record: the EMA teacher's momentum, representation collapse. */
  static final List<Metric> WHEN_RECORDED = List.of(
      new Metric("teacher_momentum", "Teacher momentum (EMA, at the epoch's last step)", Unit.NUMBER, "#4d7c0f"),
      new Metric("rankme", "RankMe (effective rank of the embeddings)", Unit.NUMBER, "#db2777"),
      new Metric("effective_rank", "Effective rank", Unit.NUMBER, "#db2777"),
      new Metric("embedding_std", "Embedding standard deviation", Unit.NUMBER, "#0891b2"),
      new Metric("projection_std", "Projection standard deviation", Unit.NUMBER, "#0891b2"));

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
        JsonNode knn = lastWith(KNN.key());
        tile(out, "k-NN top-1", knn == null ? "–" : percent(knn.path(KNN.key()).asDouble()),
            knn == null ? "not evaluated yet" : "epoch " + knn.path("epoch").asInt()
                + (last.has(KNN_RANDOM.key()) ? ", random init " + percent(last.path(KNN_RANDOM.key()).asDouble()) : ""));
        double wall = records.stream().mapToDouble(r -> r.path("wall_s").asDouble()).sum();
        tile(out, "training time", Durations.format(wall), records.size() + " epochs");
        tile(out, "skipped files", Long.toString(last.path("skipped_files").asLong()), "not decodable");
      }
      out.append("</section>\n");
    }

    private static void tile(StringBuilder out, String label, String value, String detail) {
      out.append("<div class=\"tile\"><div class=\"label\">").append(Html.escape(label))
          .append("</div><div class=\"value\">").append(Html.escape(value)).append("</div><div class=\"muted\">")
          .append(Html.escape(detail)).append("</div></div>\n");
    }

    private JsonNode lastWith(String key) {
      for (int i = records.size() - 1; i >= 0; i--) {
        if (records.get(i).has(key)) {
          return records.get(i);
        }
      }
      return null;
    }

    private void charts(StringBuilder out) {
      out.append("<section class=\"charts\">\n");
      chart(out, LOSS.key(), LOSS.title(), LOSS.unit(), List.of(series(LOSS, false)), null);
      chart(out, SPEED.key(), SPEED.title(), SPEED.unit(), List.of(series(SPEED, false)), null);
      int evaluated = (int) records.stream().filter(r -> r.has(KNN.key())).count();
      String knnNote = config.path("skip_eval").asBoolean() ? "not evaluated: the run has --skip-eval"
          : evaluated <= 1 && config.path("eval_every").asInt() == 0
              ? "evaluated after the last epoch only (--eval-every N evaluates every N epochs)" : null;
      chart(out, "knn", "k-NN top-1", Unit.PERCENT, List.of(series(KNN, false), series(KNN_RANDOM, true)), knnNote);
      chart(out, LR.key(), LR.title(), LR.unit(), List.of(series(LR, false)), null);
      for (Metric m : WHEN_RECORDED) {
        if (records.stream().anyMatch(r -> r.has(m.key()))) {
          chart(out, m.key(), m.title(), m.unit(), List.of(series(m, false)), null);
        }
      }
      out.append("</section>\n");
    }

    private Series series(Metric m, boolean reference) {
      List<Point> points = new ArrayList<>();
      for (JsonNode r : records) {
        if (r.has(m.key())) {
          points.add(new Point(r.path("epoch").asInt(), r.get(m.key()).asDouble()));
        }
      }
      return new Series(m.key(), m.title(), m.color(), reference, points);
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
      List<Metric> extra = WHEN_RECORDED.stream().filter(m -> records.stream().anyMatch(r -> r.has(m.key()))).toList();
      out.append("<section><h2>Epochs</h2>\n<table id=\"epochs\">\n<thead><tr><th>epoch</th><th>loss</th>"
          + "<th>images/s</th><th>images</th><th>wall s</th><th>learning rate</th><th>k-NN top-1</th><th>skipped files</th>");
      extra.forEach(m -> out.append("<th>").append(Html.escape(m.key())).append("</th>"));
      out.append("</tr></thead>\n<tbody>\n");
      for (JsonNode r : records) {
        out.append("<tr><td>").append(r.path("epoch").asInt()).append("</td>")
            .append(cell(r, "loss", "%.4f")).append(cell(r, "images_per_s", "%.1f")).append(cell(r, "images", "%.0f"))
            .append(cell(r, "wall_s", "%.1f")).append(cell(r, "learning_rate", "%.3g"))
            .append("<td>").append(r.has(KNN.key()) ? percent(r.get(KNN.key()).asDouble()) : "").append("</td>")
            .append(cell(r, "skipped_files", "%.0f"));
        extra.forEach(m -> out.append(cell(r, m.key(), "%.4g")));
        out.append("</tr>\n");
      }
      out.append("</tbody></table></section>\n");
    }

    private static String cell(JsonNode r, String key, String format) {
      return "<td>" + (r.has(key) ? Html.escape(String.format(Locale.ROOT, format, r.get(key).asDouble())) : "") + "</td>";
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
      .key{margin-left:10px;font-size:12px;color:var(--muted)}
      .key::before{content:"";display:inline-block;width:18px;height:0;border-top:3px solid var(--c);vertical-align:middle;margin-right:5px}
      .key.dashed::before{border-top-style:dashed}
      .note{font-size:12px}
      svg.chart{width:100%;height:auto;display:block}
      .not-plotted{color:#b91c1c;margin:2px 0}
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
