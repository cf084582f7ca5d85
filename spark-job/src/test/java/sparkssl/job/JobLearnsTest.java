package sparkssl.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The job learns: on the bundled Fashion-MNIST sample (2,000 train images as corpus and k-NN bank,
 * 500 test queries), local mode with 2 workers and the default recipe, four epochs lower the loss and
 * lift the encoder's k-NN top-1 clearly above the same encoder at random initialisation.
 */
class JobLearnsTest {
  @TempDir
  Path tmp;

  @Test
  void lossFallsAndTheEncoderBeatsItsRandomInit() throws Exception {
    Path runDir = tmp.resolve("run");
    String train = LocalTrainRun.SAMPLE.resolve("train").toUri().toString();
    LocalTrainRun.run("--corpus", train, "--eval-train", train,
        "--eval-test", LocalTrainRun.SAMPLE.resolve("test").toUri().toString(), "--run-dir", runDir.toString(),
        "--epochs", "4", "--workers", "2");
    List<JsonNode> metrics = LocalTrainRun.metrics(runDir);
    assertEquals(4, metrics.size());
    double firstLoss = metrics.get(0).get("loss").asDouble();
    double lastLoss = metrics.get(3).get("loss").asDouble();
    assertTrue(lastLoss < firstLoss - 0.3, "loss falls: " + firstLoss + " -> " + lastLoss);
    double trained = metrics.get(3).get("knn_top1").asDouble();
    double random = metrics.get(3).get("knn_top1_random_init").asDouble();
    assertTrue(trained > random + 0.05, "k-NN top-1 trained " + trained + " vs random init " + random);
  }
}
