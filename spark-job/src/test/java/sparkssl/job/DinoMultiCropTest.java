package sparkssl.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import sparkssl.model.ModelIO;
import sparkssl.model.SslHead;
import sparkssl.model.layers.SslLossLayer;

/**
 * DINO with two local crops per image trains in local mode: every step's examples carry four views
 * (two global, two local, stacked on channels), the student's loss takes all four against the
 * teacher's two global views, and the run says so in config.json and the model.
 */
class DinoMultiCropTest {
  @TempDir
  Path tmp;

  @Test
  void dinoTrainsOnGlobalViewsAndLocalCrops() throws Exception {
    Path runDir = tmp.resolve("run");
    LocalTrainRun.run("--corpus", LocalTrainRun.SAMPLE.resolve("train/sandal").toUri().toString(), "--skip-eval",
        "--run-dir", runDir.toString(), "--method", "dino", "--augment", "local_crops=2", "--augment", "local_size=28",
        "--epochs", "1", "--batch-size", "8", "--averaging-frequency", "2", "--workers", "2");

    List<JsonNode> metrics = LocalTrainRun.metrics(runDir);
    JsonNode epoch = metrics.get(0);
    assertEquals(192, epoch.get("images").asLong(), "12 steps of 2 workers x 8 images: " + epoch);
    assertTrue(Double.isFinite(epoch.get("loss").asDouble()) && epoch.get("loss").asDouble() > 0, epoch.toString());
    JsonNode config = new ObjectMapper().readTree(runDir.resolve("config.json").toFile());
    assertEquals(4, config.get("model").get("numViews").asInt(), config.toString());
    try (InputStream in = Files.newInputStream(runDir.resolve("model.zip"))) {
      ComputationGraph net = ModelIO.read(in);
      SslLossLayer loss = (SslLossLayer) net.getLayer(SslHead.LOSS).conf().getLayer();
      assertEquals(4, loss.getNumViews(), "the loss sees two global views and two local crops");
    }
  }
}
