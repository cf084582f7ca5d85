package sparkssl.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import sparkssl.spark.eval.LinearProbe;

/**
 * Train's evaluation with both protocols, from the shared short run ({@link TrainedRun}): each scores
 * the trained encoder, the same encoder at random init and the raw pixels on the same labeled sets,
 * and the run says so in its last lines, with a warning when the encoder does not beat the pixels.
 */
class BaselinesTest {
  @Test
  void eachProtocolScoresTheEncoderBesideItsRandomInitAndThePixels() throws Exception {
    TrainedRun run = TrainedRun.get();
    JsonNode last = LocalTrainRun.metrics(run.runDir).get(0);
    for (String subject : List.of("", "_random_init", "_pixels")) {
      for (String protocol : List.of("knn", "linear")) {
        double top1 = last.get(protocol + "_top1" + subject).asDouble();
        assertTrue(top1 > 0.1 && top1 <= 1, protocol + subject + " on 10 classes: " + top1);
      }
      assertTrue(LinearProbe.REG_PARAMS.contains(last.get("linear_reg_param" + subject).asDouble()), last.toString());
    }
    List<String> protocols = new ArrayList<>();
    new ObjectMapper().readTree(run.runDir.resolve("config.json").toFile()).get("eval_protocol").forEach(p -> protocols.add(p.asText()));
    assertEquals(List.of("knn", "linear"), protocols);
    // the run's pixels are the encoder's input before normalisation: the same as the reference's
    JsonNode pixelReference = new ObjectMapper().readTree(Paths.get("src/test/resources/eval-reference/pixel-knn.json").toFile());
    assertEquals(pixelReference.get("top1").asDouble(), last.get("knn_top1_pixels").asDouble(), 0.001);

    assertTrue(run.log.contains(String.format(Locale.ROOT, "k-NN top-1 (k=20, T=0.07): trained encoder %s, same encoder at "
        + "random init %s, raw pixels %s", percent(last, "knn_top1"), percent(last, "knn_top1_random_init"),
        percent(last, "knn_top1_pixels"))), String.join("\n", run.log));
    assertTrue(run.log.stream().anyMatch(line -> line.startsWith("linear probe top-1: trained encoder " + percent(last, "linear_top1")
        + " (reg_param " + LinearProbe.format(last.get("linear_reg_param").asDouble()) + ")")), String.join("\n", run.log));
    // one epoch on 100 images: the encoder is still below the pixels it is fed, which the run must say
    assertTrue(last.get("knn_top1").asDouble() <= last.get("knn_top1_pixels").asDouble(), last.toString());
    assertTrue(run.log.contains("the trained encoder's k-NN top-1 " + percent(last, "knn_top1") + " does not beat the raw pixels' "
        + percent(last, "knn_top1_pixels") + ": on this labeled set its embeddings are no better a representation than its "
        + "input (train longer, or check the method and augmentations)"), String.join("\n", run.log));
  }

  private static String percent(JsonNode record, String key) {
    return String.format(Locale.ROOT, "%.2f%%", 100 * record.get(key).asDouble());
  }
}
