package sparkssl.job;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Whether a run may resume from a checkpoint: the settings that decide what training does must be
 * those the run started with (a checkpoint stores its run's {@code config.json}); evaluation and Spark
 * settings may change.
 */
final class ResumeSettings {
  /** The {@code config.json} keys that decide what training does. */
  static final List<String> TRAINING = List.of("corpus", "corpus_files", "epochs", "batch_size_per_worker", "averaging_frequency",
      "workers", "epoch_data", "steps_per_epoch", "views", "model", "outer_optimizer");

  private ResumeSettings() {}

  /** Throws a {@link BadInputException} naming the first training setting that differs. */
  static void check(JsonNode started, JsonNode now, String runDir) {
    for (String key : TRAINING) {
      String difference = firstDifference(key, started.path(key), now.path(key));
      if (difference != null) {
        throw new BadInputException("--resume: " + difference + "; a resumed run keeps the training settings in "
            + runDir + " (only evaluation and Spark settings may change)");
      }
    }
  }

  /** The first leaf where the two differ, described, or null when they are equal. */
  private static String firstDifference(String path, JsonNode started, JsonNode now) {
    if (started.isObject() && now.isObject()) {
      Set<String> fields = new LinkedHashSet<>();
      started.fieldNames().forEachRemaining(fields::add);
      now.fieldNames().forEachRemaining(fields::add);
      for (String field : fields) {
        String difference = firstDifference(path + "." + field, started.path(field), now.path(field));
        if (difference != null) {
          return difference;
        }
      }
      return null;
    }
    return started.equals(now) ? null : path + " is " + now + " here but was " + started + " when the run started";
  }
}
