package sparkssl.job;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sparkssl.spark.eval.LinearProbe;

/**
 * The run's last lines: each protocol's top-1 of the trained encoder beside its baselines, and a
 * warning where the encoder does not beat the raw pixels it was fed (pretraining that made the
 * representation worse than no representation at all).
 */
final class FinalScores {
  private static final Logger LOG = LoggerFactory.getLogger(PretrainJob.class);

  private FinalScores() {}

  /** Logs what the run's last metrics record holds; nothing for a run without evaluation. */
  static void log(JsonNode last, int k, double temperature) {
    if (last.has("knn_top1_pixels")) {
      LOG.info("k-NN top-1 (k={}, T={}): trained encoder {}, same encoder at random init {}, raw pixels {}", k, temperature,
          percent(last, "knn_top1"), percent(last, "knn_top1_random_init"), percent(last, "knn_top1_pixels"));
      warnUnlessAbovePixels(last, "knn", "k-NN");
    }
    if (last.has("linear_top1_pixels")) {
      LOG.info("linear probe top-1: trained encoder {} (reg_param {}), same encoder at random init {} (reg_param {}), "
          + "raw pixels {} (reg_param {})", percent(last, "linear_top1"), reg(last, "linear_reg_param"),
          percent(last, "linear_top1_random_init"), reg(last, "linear_reg_param_random_init"), percent(last, "linear_top1_pixels"),
          reg(last, "linear_reg_param_pixels"));
      warnUnlessAbovePixels(last, "linear", "linear probe");
    }
  }

  private static void warnUnlessAbovePixels(JsonNode last, String protocol, String name) {
    if (last.get(protocol + "_top1").asDouble() <= last.get(protocol + "_top1_pixels").asDouble()) {
      LOG.warn("the trained encoder's {} top-1 {} does not beat the raw pixels' {}: on this labeled set its embeddings "
          + "are no better a representation than its input (train longer, or check the method and augmentations)", name,
          percent(last, protocol + "_top1"), percent(last, protocol + "_top1_pixels"));
    }
  }

  private static String reg(JsonNode record, String key) {
    return LinearProbe.format(record.get(key).asDouble());
  }

  private static String percent(JsonNode record, String key) {
    return String.format(Locale.ROOT, "%.2f%%", 100 * record.get(key).asDouble());
  }
}
