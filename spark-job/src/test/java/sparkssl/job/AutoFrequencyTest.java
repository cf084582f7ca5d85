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

/**
 * {@code --averaging-frequency auto} in local mode: probe rounds calibrate the cost model, the run
 * averages at the fewest steps its model allows, each epoch's steady rounds recalibrate it for the
 * next, and the metrics say what it measured and chose. The expected frequencies are worked out here
 * from the recorded calibration with the model's formula written out, not by the model's own code.
 */
class AutoFrequencyTest {
  private static final int WORKERS = 2;
  private static final int IMAGE_SIZE = 64;

  @TempDir
  Path tmp;

  /**
   * What the cost model charges a round beyond its steps in local mode (workers share the driver's
   * copy of the broadcast, nothing crosses a network): the latency, the state serialised by the
   * driver, by each worker (in parallel) and read back from W workers, and W + 1 adds.
   */
  private static double overhead(JsonNode cost, double latency) {
    double s = cost.get("state_bytes").asDouble();
    return latency + s / cost.get("serialize_bytes_per_s").asDouble() * (2 + WORKERS)
        + (WORKERS + 1) * s / cost.get("average_bytes_per_s").asDouble();
  }

  /**
   * The fewest steps k per round with overhead / (overhead + k * step) at most 10%, that is k >= 9 *
   * overhead / step, and at most a worker's steps in an epoch.
   */
  private static long frequency(double overhead, double step, long stepsPerEpoch) {
    return Math.min(stepsPerEpoch, Math.max(1, (long) Math.ceil(9 * overhead / step)));
  }

  /**
   * 64 px views make a step several times the cost of a round's overhead here, so epoch 1 has several
   * rounds (each epoch's first round also runs the shuffle; only the later ones measure the steady
   * step and overhead that recalibrate the model); the test fails, rather than skips, if it has not.
   */
  @Test
  void autoChoosesTheModelsSmallestFrequencyAndRecalibratesFromTheEpochsRounds() throws Exception {
    Path corpus = tmp.resolve("corpus");
    LocalModeJobTest.copySlice(LocalTrainRun.SAMPLE.resolve("train"), corpus, 40);
    Path runDir = tmp.resolve("run");
    LocalTrainRun.run("--corpus", corpus.toUri().toString(), "--skip-eval",
        "--run-dir", runDir.toString(), "--epochs", "2", "--batch-size", "16", "--workers", String.valueOf(WORKERS),
        "--image-size", String.valueOf(IMAGE_SIZE), "--averaging-frequency", "auto", "--method", "byol");

    JsonNode config = new ObjectMapper().readTree(runDir.resolve("config.json").toFile());
    assertEquals("auto", config.get("averaging_frequency").asText());
    long stepsPerEpoch = config.get("steps_per_epoch").asLong();
    assertEquals(12, stepsPerEpoch, "400 images in global batches of 32");
    JsonNode first = LocalTrainRun.metrics(runDir).get(0);
    JsonNode cost = first.get("cost_model");
    long k = first.get("averaging_frequency").asLong();
    assertEquals(k, cost.get("steps_per_round").asLong());
    assertEquals((stepsPerEpoch + k - 1) / k, first.get("averaging_rounds").asLong(), first.toString());
    assertTrue(first.get("averaging_rounds").asInt() >= 2, "epoch 1 needs steady rounds to measure: " + first);

    // the state is the parameters, Adam's two moments and BYOL's teacher, in float32
    ModelOptions options = new ModelOptions();
    options.method = "byol";
    options.imageSize = IMAGE_SIZE;
    ComputationGraph net = SslNetwork.create(options);
    long params = net.params().length();
    long updater = net.getUpdater().getStateViewArray().length();
    assertEquals(4 * (2 * params + updater), cost.get("state_bytes").asLong(), cost.toString());

    double step = cost.get("step_s").asDouble();
    double overhead = overhead(cost, cost.get("latency_s").asDouble());
    assertTrue(step > 0 && cost.get("latency_s").asDouble() >= 0, cost.toString());
    assertEquals(overhead, cost.get("predicted_overhead_s").asDouble(), 1e-9 * overhead, cost.toString());
    assertEquals(overhead + k * step, cost.get("predicted_round_s").asDouble(), 1e-9 * (overhead + k * step), cost.toString());
    assertEquals(frequency(overhead, step, stepsPerEpoch), k, "the fewest steps that keep communication under 10%: " + cost);

    // epoch 2: the latency that makes the model predict epoch 1's measured overhead (never below 0),
    // and epoch 1's measured step
    JsonNode second = LocalTrainRun.metrics(runDir).get(1);
    JsonNode recalibrated = second.get("cost_model");
    double measuredStep = cost.get("measured_step_s").asDouble();
    double measuredOverhead = cost.get("measured_overhead_s").asDouble();
    double latency = Math.max(0, measuredOverhead - overhead(cost, 0));
    assertEquals(measuredStep, recalibrated.get("step_s").asDouble(), 1e-12, recalibrated.toString());
    assertEquals(latency, recalibrated.get("latency_s").asDouble(), 1e-9 * Math.max(1, latency), recalibrated.toString());
    assertEquals(frequency(overhead(cost, latency), measuredStep, stepsPerEpoch), second.get("averaging_frequency").asLong(),
        "epoch 2 follows epoch 1's measured rounds: " + cost);
  }
}
