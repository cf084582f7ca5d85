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

  public record Chart(String key, double left, double top, double right, double bottom, List<Point> points) {
    public List<Point> of(String series) {
      return points.stream().filter(p -> p.series().equals(series)).toList();
    }

    /**
     * Every marker lies inside the plot, later epochs to the right, and height proportional to value:
     * the same pixels per unit for every pair of points of the chart.
     */
    public void assertDrawnToScale() {
      Double perUnit = null;
      for (Point a : points) {
        assertTrue(a.width() > 0, key + ": marker not rendered: " + a);
        assertTrue(a.x() >= left - 0.5 && a.x() <= right + 0.5 && a.y() >= top - 0.5 && a.y() <= bottom + 0.5,
            key + ": marker outside the plot " + this + ": " + a);
        for (Point b : points) {
          if (a.series().equals(b.series()) && a.epoch() < b.epoch()) {
            assertTrue(a.x() < b.x(), key + ": epoch " + a.epoch() + " drawn right of epoch " + b.epoch());
          }
          if (Math.abs(a.value() - b.value()) > 1e-9 * Math.max(1, Math.abs(a.value()))) {
            double slope = (a.y() - b.y()) / (b.value() - a.value());
            assertTrue(slope > 0, key + ": a larger value is not drawn higher: " + a + " " + b);
            if (perUnit == null) {
              perUnit = slope;
            } else {
              // markers sit on a 0.1 px grid in the SVG, scaled into the page
              assertEquals(perUnit, slope, 0.02 * perUnit + 2 / Math.abs(b.value() - a.value()),
                  key + ": not to scale: " + a + " " + b);
            }
          }
        }
      }
    }
  }

  private static final String CHARTS = """
      JSON.stringify([...document.querySelectorAll('svg.chart')].map(svg => {
        const plot = svg.querySelector('rect.plot').getBoundingClientRect();
        return {key: svg.dataset.chart, left: plot.left, top: plot.top, right: plot.right, bottom: plot.bottom,
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
          c.path("top").asDouble(), c.path("right").asDouble(), c.path("bottom").asDouble(), points));
    }
    return new RenderedReport(charts, browser.problems(), browser);
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
