package sparkssl.spark.run;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * One metric over epochs as inline SVG, drawn on the driver: axes with round ticks, a line and a
 * marker per finite value. Every marker carries its series, epoch and exact value as
 * {@code data-*} attributes and a hover title, so a reader and a test can both read the numbers off
 * the page. Values that are not finite (a diverged loss) break the line and are left to
 * {@link #notPlotted} instead of producing coordinates a browser rejects. Strokes, fills and fonts are
 * presentation attributes, so the chart draws right even where a viewer blocks the page's styles.
 */
final class LineChart {
  private static final int WIDTH = 560;
  private static final int HEIGHT = 240;
  private static final int LEFT = 58;
  private static final int RIGHT = 14;
  private static final int TOP = 14;
  private static final int BOTTOM = 34;
  private static final String TEXT = "font-size=\"11\" fill=\"#4b5563\"";

  /** How values read on the axis and in titles; {@code data-value} always holds the raw number. */
  enum Unit {
    NUMBER, PERCENT;

    double shown(double value) {
      return this == PERCENT ? 100 * value : value;
    }

    String suffix() {
      return this == PERCENT ? "%" : "";
    }
  }

  record Point(int epoch, double value) {}

  /**
   * A line of points; a {@code reference} series with one point (the random-init k-NN) is drawn as a
   * dashed level across the whole chart.
   */
  record Series(String key, String label, String color, boolean reference, List<Point> points) {
    List<Point> finite() {
      return points.stream().filter(p -> Double.isFinite(p.value())).toList();
    }
  }

  private final String key;
  private final String title;
  private final Unit unit;
  private final List<Series> series;
  private final double xMin;
  private final double xMax;
  private double yMin;
  private double yMax;
  private double yStep;

  /** A chart of {@code series} on an epoch axis from {@code firstEpoch} to {@code lastEpoch}. */
  LineChart(String key, String title, Unit unit, List<Series> series, int firstEpoch, int lastEpoch) {
    this.key = key;
    this.title = title;
    this.unit = unit;
    this.series = List.copyOf(series);
    // a one-epoch run still gets an axis with room either side of its point
    this.xMin = firstEpoch == lastEpoch ? firstEpoch - 0.5 : firstEpoch;
    this.xMax = firstEpoch == lastEpoch ? lastEpoch + 0.5 : lastEpoch;
  }

  boolean hasData() {
    return series.stream().anyMatch(s -> !s.finite().isEmpty());
  }

  String svg() {
    StringBuilder out = new StringBuilder();
    out.append(String.format(Locale.ROOT,
        "<svg class=\"chart\" data-chart=\"%s\" viewBox=\"0 0 %d %d\" role=\"img\" aria-label=\"%s over epochs\" "
            + "font-family=\"system-ui, sans-serif\" xmlns=\"http://www.w3.org/2000/svg\">\n",
        Html.escape(key), WIDTH, HEIGHT, Html.escape(title)));
    out.append(String.format(Locale.ROOT,
        "<rect class=\"plot\" x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\" stroke=\"#d1d5db\"/>\n",
        LEFT, TOP, WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM));
    if (!hasData()) {
      out.append(String.format(Locale.ROOT,
          "<text class=\"empty\" x=\"%d\" y=\"%d\" font-size=\"13\" fill=\"#6b7280\" text-anchor=\"middle\">"
              + "no values yet</text>\n", WIDTH / 2, HEIGHT / 2));
    } else {
      fitValueAxis();
      valueAxis(out);
      epochAxis(out);
      series.forEach(s -> line(out, s));
    }
    return out.append("</svg>").toString();
  }

  private void fitValueAxis() {
    double lo = Double.POSITIVE_INFINITY;
    double hi = Double.NEGATIVE_INFINITY;
    for (Series s : series) {
      for (Point p : s.finite()) {
        lo = Math.min(lo, unit.shown(p.value()));
        hi = Math.max(hi, unit.shown(p.value()));
      }
    }
    if (lo == hi) {
      double pad = lo == 0 ? 1 : Math.abs(lo) * 0.1;
      lo -= pad;
      hi += pad;
    }
    yStep = roundStep((hi - lo) / 5);
    yMin = Math.floor(lo / yStep) * yStep;
    yMax = Math.ceil(hi / yStep) * yStep;
  }

  /** 1, 2 or 5 times a power of ten, near {@code raw}. */
  static double roundStep(double raw) {
    double magnitude = Math.pow(10, Math.floor(Math.log10(raw)));
    double n = raw / magnitude;
    return (n < 1.5 ? 1 : n < 3 ? 2 : n < 7 ? 5 : 10) * magnitude;
  }

  private void valueAxis(StringBuilder out) {
    int steps = (int) Math.round((yMax - yMin) / yStep);
    for (int i = 0; i <= steps; i++) {
      double v = yMin + i * yStep;
      v = Math.abs(v) < yStep / 2 ? 0 : v; // no "-0.0" from rounding
      double y = y(v);
      out.append(String.format(Locale.ROOT,
          "<line class=\"grid\" x1=\"%d\" x2=\"%d\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#e5e7eb\"/>", LEFT, WIDTH - RIGHT, y, y));
      out.append(String.format(Locale.ROOT, "<text class=\"tick y\" x=\"%d\" y=\"%.1f\" %s text-anchor=\"end\">%s</text>\n",
          LEFT - 6, y + 4, TEXT, Html.escape(tickLabel(v) + unit.suffix())));
    }
  }

  private String tickLabel(double v) {
    double scale = Math.max(Math.abs(yMin), Math.abs(yMax));
    int stepExponent = (int) Math.floor(Math.log10(yStep) + 1e-9);
    if (scale < 1e-4 || scale >= 1e6) {
      // as many mantissa digits as the step needs, so every label is its tick's exact value
      int digits = Math.max(1, (int) Math.floor(Math.log10(scale)) - stepExponent);
      return v == 0 ? "0"
          : String.format(Locale.ROOT, "%." + digits + "e", v).replaceAll("e([-+])0*(\\d)", "e$1$2").replace("e+", "e");
    }
    return String.format(Locale.ROOT, "%." + Math.max(0, -stepExponent) + "f", v);
  }

  private void epochAxis(StringBuilder out) {
    int step = (int) Math.max(1, Math.round(roundStep(Math.max(1, xMax - xMin) / 8)));
    int first = (int) Math.ceil(xMin / step) * step;
    for (int e = Math.max(first, step); e <= xMax; e += step) {
      out.append(String.format(Locale.ROOT, "<text class=\"tick x\" x=\"%.1f\" y=\"%d\" %s text-anchor=\"middle\">%d</text>",
          x(e), HEIGHT - BOTTOM + 16, TEXT, e));
    }
    out.append(String.format(Locale.ROOT, "\n<text class=\"axis-title\" x=\"%d\" y=\"%d\" %s text-anchor=\"middle\">epoch</text>\n",
        LEFT + (WIDTH - LEFT - RIGHT) / 2, HEIGHT - 3, TEXT));
  }

  private void line(StringBuilder out, Series s) {
    List<Point> finite = s.finite();
    if (finite.isEmpty()) {
      return;
    }
    String color = Html.escape(s.color());
    out.append("<g class=\"series\" data-series=\"").append(Html.escape(s.key())).append("\">");
    if (s.reference() && finite.size() == 1) {
      double y = y(unit.shown(finite.get(0).value()));
      out.append(String.format(Locale.ROOT, "<line class=\"level\" x1=\"%d\" x2=\"%d\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" "
          + "stroke-width=\"2\" stroke-dasharray=\"6 4\"/>", LEFT, WIDTH - RIGHT, y, y, color));
    } else {
      out.append("<path d=\"").append(path(s.points())).append("\" fill=\"none\" stroke=\"").append(color)
          .append("\" stroke-width=\"2\"/>");
    }
    for (Point p : finite) {
      out.append(String.format(Locale.ROOT,
          "\n<circle class=\"point\" cx=\"%.1f\" cy=\"%.1f\" r=\"3.5\" fill=\"%s\" stroke=\"#fff\" "
              + "data-epoch=\"%d\" data-value=\"%s\"><title>%s, epoch %d: %s</title></circle>",
          x(p.epoch()), y(unit.shown(p.value())), color, p.epoch(), Double.toString(p.value()),
          Html.escape(s.label()), p.epoch(), Html.escape(readable(p.value()))));
    }
    out.append("</g>\n");
  }

  /** Segments through consecutive finite points; a non-finite value leaves a gap. */
  private String path(List<Point> points) {
    StringBuilder d = new StringBuilder();
    boolean pen = false;
    for (Point p : points) {
      if (!Double.isFinite(p.value())) {
        pen = false;
        continue;
      }
      d.append(String.format(Locale.ROOT, "%s%.1f %.1f ", pen ? "L" : "M", x(p.epoch()), y(unit.shown(p.value()))));
      pen = true;
    }
    return d.toString().trim();
  }

  /** The values left out of the plot because they are not finite, as {@code label epoch N: NaN}. */
  List<String> notPlotted() {
    List<String> bad = new ArrayList<>();
    for (Series s : series) {
      s.points().stream().filter(p -> !Double.isFinite(p.value()))
          .forEach(p -> bad.add(s.label() + " epoch " + p.epoch() + ": " + p.value()));
    }
    return bad;
  }

  private String readable(double value) {
    double v = unit.shown(value);
    return (Math.abs(v) >= 1e-2 && Math.abs(v) < 1e6 ? String.format(Locale.ROOT, "%.4g", v)
        : String.format(Locale.ROOT, "%.3e", v)) + unit.suffix();
  }

  private double x(double epoch) {
    return LEFT + (epoch - xMin) / (xMax - xMin) * (WIDTH - LEFT - RIGHT);
  }

  private double y(double v) {
    return TOP + (yMax - v) / (yMax - yMin) * (HEIGHT - TOP - BOTTOM);
  }
}
