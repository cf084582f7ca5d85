package sparkssl.spark.run;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import sparkssl.spark.data.SkippedFile;

/**
 * Where a run stands after an epoch, beside the network in its checkpoint: the epoch finished, the
 * global step (the network's iteration count), the seed, the job configuration the run was started
 * with (a resume must match it), every metrics record so far, and the files found undecodable so far
 * (later epochs leave them out, as the uninterrupted run would).
 */
public record TrainingProgress(int epoch, long globalStep, long seed, JsonNode config, List<JsonNode> metrics,
    List<SkippedFile> skippedFiles) {

  public TrainingProgress {
    metrics = List.copyOf(metrics);
    skippedFiles = List.copyOf(skippedFiles);
  }
}
