package sparkssl.spark.run;

import java.util.Locale;

/** Seconds as people read them in a log line: {@code 42s}, {@code 3m05s}, {@code 1h02m}. */
final class Durations {
  private Durations() {}

  static String format(double seconds) {
    if (!Double.isFinite(seconds)) {
      return "?";
    }
    long s = Math.round(Math.max(0, seconds));
    return s >= 3600 ? String.format(Locale.ROOT, "%dh%02dm", s / 3600, s % 3600 / 60)
        : s >= 60 ? String.format(Locale.ROOT, "%dm%02ds", s / 60, s % 60) : s + "s";
  }
}
