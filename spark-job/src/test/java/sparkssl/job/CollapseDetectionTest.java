package sparkssl.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Collapse detection fires on a broken method and stays quiet on the working one: SimSiam without its
 * stop-gradient collapses (Chen and He 2021, fig. 2), SimSiam with it does not, on the same corpus,
 * seed and recipe (local mode, 2 workers, the 500 test images of the bundled sample).
 */
class CollapseDetectionTest {
  @TempDir
  Path tmp;

  @Test
  void simSiamWithoutStopGradientIsFlaggedAndWithItIsNot() throws Exception {
    List<JsonNode> broken = run("broken", "--no-stop-gradient");
    List<JsonNode> working = run("working");
    assertTrue(broken.get(broken.size() - 1).get("collapse").get("collapsed").asBoolean(),
        "no stop-gradient: collapse flagged by the last epoch: " + broken.get(broken.size() - 1).get("collapse"));
    working.forEach(m -> assertFalse(m.get("collapse").get("collapsed").asBoolean(),
        "with the stop-gradient nothing is flagged: " + m.get("collapse")));
  }

  private List<JsonNode> run(String name, String... extra) throws Exception {
    Path runDir = tmp.resolve(name);
    List<String> args = new java.util.ArrayList<>(List.of("--corpus", LocalTrainRun.SAMPLE.resolve("test").toUri().toString(),
        "--skip-eval", "--run-dir", runDir.toString(), "--epochs", "4", "--workers", "2", "--batch-size", "32",
        "--method", "simsiam", "--learning-rate", "0.003"));
    args.addAll(List.of(extra));
    LocalTrainRun.run(args.toArray(String[]::new));
    List<JsonNode> metrics = LocalTrainRun.metrics(runDir);
    assertEquals(4, metrics.size());
    return metrics;
  }
}
