package sparkssl.spark.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A report as Chromium laid it out: per chart its plot area and the markers it drew, with their
 * series, epoch and value and where they landed on the page (read after the page loaded, from the
 * live DOM and layout, not from the file).
 */
public record RenderedReport(Map<String, Chart> charts, List<String> problems, HeadlessChromium browser) {

  public record Point(String series, int epoch, double value, double x, double y, double width) {}

  /** A labelled tick: its value as the axis label reads, and where it is on the page. */
  public record Tick(double value, double position) {}

  public record Chart(String key, double left, double top, double right, double bottom, List<Tick> valueTicks,
      List<Tick> epochTicks, List<Point> points) {
    public List<Point> of(String series) {
      return points.stream().filter(p -> p.series().equals(series)).toList();
    }

    /**
     * Every marker is rendered inside the plot, at the height its value has on the chart's labelled
     * value axis and at the position of its epoch on the labelled epoch axis (within a pixel).
     */
    public void assertDrawnOnItsAxes() {
      assertTrue(valueTicks.size() >= 2, key + ": value axis " + valueTicks);
      assertTrue(!epochTicks.isEmpty(), key + ": epoch axis");
      for (Point p : points) {
        assertTrue(p.width() > 0, key + ": marker not rendered: " + p);
        assertTrue(p.x() >= left - 0.5 && p.x() <= right + 0.5 && p.y() >= top - 0.5 && p.y() <= bottom + 0.5,
            key + ": marker outside the plot " + this + ": " + p);
        assertEquals(along(valueTicks, p.value()), p.y(), 1.0, key + ": height of " + p + " on " + valueTicks);
        assertEquals(along(epochTicks, p.epoch()), p.x(), 1.0, key + ": epoch of " + p + " on " + epochTicks);
      }
    }

    /** Where {@code value} lies on an axis, from its first and last labelled ticks. */
    private static double along(List<Tick> ticks, double value) {
      Tick a = ticks.get(0);
      Tick b = ticks.get(ticks.size() - 1);
      return ticks.size() == 1 ? a.position()
          : a.position() + (value - a.value()) / (b.value() - a.value()) * (b.position() - a.position());
    }
  }

  private static final String CHARTS = """
      JSON.stringify([...document.querySelectorAll('svg.chart')].map(svg => {
        const plot = svg.querySelector('rect.plot').getBoundingClientRect();
        const mid = e => { const b = e.getBoundingClientRect(); return [(b.left + b.right) / 2, (b.top + b.bottom) / 2]; };
        const grid = [...svg.querySelectorAll('line.grid')].map(l => mid(l)[1]);
        return {key: svg.dataset.chart, left: plot.left, top: plot.top, right: plot.right, bottom: plot.bottom,
          valueTicks: [...svg.querySelectorAll('text.tick.y')].map((t, i) => ({label: t.textContent, position: grid[i]})),
          epochTicks: [...svg.querySelectorAll('text.tick.x')].map(t => ({label: t.textContent, position: mid(t)[0]})),
          points: [...svg.querySelectorAll('circle.point')].map(c => {
            const b = c.getBoundingClientRect();
            return {series: c.closest('g.series').dataset.series, epoch: Number(c.dataset.epoch),
              value: Number(c.dataset.value), x: (b.left + b.right) / 2, y: (b.top + b.bottom) / 2, width: b.width};
          })};
      }))""";

  /** Opens {@code file} in {@code browser} and reads its charts. */
  public static RenderedReport open(HeadlessChromium browser, Path file) throws Exception {
    browser.open(file);
    Map<String, Chart> charts = new LinkedHashMap<>();
    for (JsonNode c : new com.fasterxml.jackson.databind.ObjectMapper().readTree(browser.evaluate(CHARTS).asText())) {
      List<Point> points = new ArrayList<>();
      c.path("points").forEach(p -> points.add(new Point(p.path("series").asText(), p.path("epoch").asInt(),
          p.path("value").asDouble(), p.path("x").asDouble(), p.path("y").asDouble(), p.path("width").asDouble())));
      charts.put(c.path("key").asText(), new Chart(c.path("key").asText(), c.path("left").asDouble(),
          c.path("top").asDouble(), c.path("right").asDouble(), c.path("bottom").asDouble(), ticks(c.path("valueTicks")),
          ticks(c.path("epochTicks")), points));
    }
    return new RenderedReport(charts, browser.problems(), browser);
  }

  /** Axis labels as numbers: {@code 72%} is 0.72, {@code 2.0e-4} and {@code 3.5} as written. */
  private static List<Tick> ticks(JsonNode labelled) {
    List<Tick> ticks = new ArrayList<>();
    for (JsonNode t : labelled) {
      String label = t.path("label").asText();
      double value = label.endsWith("%") ? Double.parseDouble(label.substring(0, label.length() - 1)) / 100
          : Double.parseDouble(label);
      ticks.add(new Tick(value, t.path("position").asDouble()));
    }
    return ticks;
  }

  /** The text of the first element matching a CSS selector, as the page shows it ("" when absent). */
  public String text(String selector) throws Exception {
    return browser.evaluate("(document.querySelector(" + quote(selector) + ") || {textContent: ''}).textContent").asText();
  }

  /** How many elements match a CSS selector. */
  public int count(String selector) throws Exception {
    return browser.evaluate("document.querySelectorAll(" + quote(selector) + ").length").asInt();
  }

  private static String quote(String s) {
    return "'" + s.replace("\\", "\\\\").replace("'", "\\'") + "'";
  }
}
