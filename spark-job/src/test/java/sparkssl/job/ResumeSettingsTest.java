package sparkssl.job;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

/** A resume must keep the run's training settings; evaluation and Spark settings may change. */
class ResumeSettingsTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  private static ObjectNode config() throws Exception {
    return (ObjectNode) JSON.readTree("""
        {"corpus": "s3a://b/images", "corpus_files": 5000, "epochs": 10, "batch_size_per_worker": 64,
         "averaging_frequency": 4, "workers": 2, "epoch_data": "shuffle", "steps_per_epoch": 39, "knn_k": 20, "spark_master": "local[2]",
         "views": {"crop_scale": [0.2, 1.0]},
         "model": {"seed": 42, "optimizer": {"kind": "adam", "learningRate": 0.001}}}
        """);
  }

  @Test
  void evaluationAndSparkSettingsMayChange() throws Exception {
    ObjectNode now = config();
    now.put("knn_k", 200).put("spark_master", "spark://h:7077");
    assertDoesNotThrow(() -> ResumeSettings.check(config(), now, "runs/r1"));
  }

  @Test
  void theFirstTrainingSettingThatDiffersIsNamed() throws Exception {
    ObjectNode now = config();
    ((ObjectNode) now.get("model").get("optimizer")).put("learningRate", 0.01);
    assertEquals("--resume: model.optimizer.learningRate is 0.01 here but was 0.001 when the run started; a resumed run "
        + "keeps the training settings in runs/r1 (only evaluation and Spark settings may change)", refusal(now));

    ObjectNode moreImages = config();
    moreImages.put("corpus_files", 5001);
    assertTrue(refusal(moreImages).startsWith("--resume: corpus_files is 5001 here but was 5000 when"), refusal(moreImages));

    ObjectNode workers = config();
    workers.put("workers", 4);
    assertTrue(refusal(workers).startsWith("--resume: workers is 4 here but was 2 when"), refusal(workers));

    ObjectNode shards = config();
    shards.put("epoch_data", "shards");
    assertTrue(refusal(shards).startsWith("--resume: epoch_data is \"shards\" here but was \"shuffle\" when"), refusal(shards));
  }

  private static String refusal(JsonNode now) throws Exception {
    return assertThrows(BadInputException.class, () -> ResumeSettings.check(config(), now, "runs/r1")).getMessage();
  }
}
