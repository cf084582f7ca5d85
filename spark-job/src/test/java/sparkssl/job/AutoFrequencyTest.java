package sparkssl.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import sparkssl.model.ModelOptions;
import sparkssl.model.SslNetwork;
import sparkssl.spark.cost.RoundCostModel;
import sparkssl.spark.cost.RoundSetting;

/**
 * {@code --averaging-frequency auto} in local mode: probe rounds calibrate the cost model, the run
 * averages at the fewest steps its model allows, each epoch's steady rounds recalibrate it for the
 * next, and the metrics say what it measured and chose.
 */
class AutoFrequencyTest {
  @TempDir
  Path tmp;

  @Test
  void autoChoosesTheModelsSmallestFrequencyAndSaysSo() throws Exception {
    Path corpus = tmp.resolve("corpus");
    LocalModeJobTest.copySlice(LocalTrainRun.SAMPLE.resolve("train"), corpus, 96);
    Path runDir = tmp.resolve("run");
    LocalTrainRun.run("--corpus", corpus.toUri().toString(), "--skip-eval",
        "--run-dir", runDir.toString(), "--epochs", "2", "--batch-size", "32", "--workers", "2",
        "--averaging-frequency", "auto", "--method", "byol");

    JsonNode config = new ObjectMapper().readTree(runDir.resolve("config.json").toFile());
    assertEquals("auto", config.get("averaging_frequency").asText());
    JsonNode m = LocalTrainRun.metrics(runDir).get(0);
    JsonNode cost = m.get("cost_model");
    int k = m.get("averaging_frequency").asInt();
    assertEquals(k, cost.get("steps_per_round").asInt());
    long stepsPerEpoch = config.get("steps_per_epoch").asLong();
    assertEquals((stepsPerEpoch + k - 1) / k, m.get("averaging_rounds").asLong(), m.toString());

    // the state is the parameters, Adam's two moments and BYOL's teacher, in float32
    ModelOptions options = new ModelOptions();
    options.method = "byol";
    ComputationGraph net = SslNetwork.create(options);
    long params = net.params().length();
    long updater = net.getUpdater().getStateViewArray().length();
    assertEquals(4 * (2 * params + updater), cost.get("state_bytes").asLong(), cost.toString());

    RoundCostModel model = new RoundCostModel(cost.get("latency_s").asDouble(), cost.get("serialize_bytes_per_s").asDouble(),
        cost.get("average_bytes_per_s").asDouble());
    RoundSetting round = new RoundSetting(2, cost.get("state_bytes").asLong(), cost.get("step_s").asDouble(),
        Double.POSITIVE_INFINITY, true);
    assertTrue(cost.get("step_s").asDouble() > 0 && cost.get("latency_s").asDouble() >= 0, cost.toString());
    assertEquals(model.smallestFrequency(round, 0.10, (int) stepsPerEpoch), k, "the fewest steps the model allows: " + cost);
    assertEquals(model.predict(round, k).total(), cost.get("predicted_round_s").asDouble(), 1e-9);

    JsonNode second = LocalTrainRun.metrics(runDir).get(1);
    if (m.get("averaging_rounds").asInt() < 2) {
      // one round an epoch leaves no steady round to measure: the choice stands
      assertTrue(!cost.has("measured_step_s"), cost.toString());
      assertEquals(k, second.get("averaging_frequency").asInt());
      return;
    }
    // epoch 2 averages at the frequency the model gives once epoch 1's steady rounds recalibrate it
    double step = cost.get("measured_step_s").asDouble();
    RoundSetting measured = new RoundSetting(2, cost.get("state_bytes").asLong(), step, Double.POSITIVE_INFINITY, true);
    int k2 = model.withOverhead(measured, cost.get("measured_overhead_s").asDouble())
        .smallestFrequency(measured, 0.10, (int) stepsPerEpoch);
    assertEquals(k2, second.get("averaging_frequency").asInt(), "epoch 2 follows epoch 1's measured rounds: " + cost);
    assertEquals(step, second.get("cost_model").get("step_s").asDouble(), 1e-12);
  }
}
