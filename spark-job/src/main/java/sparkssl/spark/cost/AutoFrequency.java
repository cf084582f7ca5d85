package sparkssl.spark.cost;

import java.util.Map;
import java.util.Optional;
import org.apache.spark.api.java.JavaSparkContext;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sparkssl.spark.train.EpochStats;
import sparkssl.spark.train.RoundAveragingMaster;

/**
 * {@code --averaging-frequency auto} over a run: probe rounds choose the first epoch's steps per
 * round, and every epoch's steady rounds recalibrate the model for the next.
 */
public final class AutoFrequency {
  private static final Logger LOG = LoggerFactory.getLogger(AutoFrequency.class);

  private final long stepsPerEpoch;
  private ProbedCost cost;
  private int steps;

  private AutoFrequency(ProbedCost cost, long stepsPerEpoch) {
    this.cost = cost;
    this.stepsPerEpoch = stepsPerEpoch;
    this.steps = cost.autoFrequency(stepsPerEpoch);
  }

  /** Probes the cluster with the run's network and batches of {@code featureShape}, and logs the choice. */
  public static AutoFrequency probe(JavaSparkContext sc, RoundAveragingMaster master, ComputationGraph net, long[] featureShape,
      int workers, long stepsPerEpoch) {
    AutoFrequency auto = new AutoFrequency(
        ProbedCost.measure(sc, master, net, featureShape, workers, ProbedCost.WARMUP_ROUNDS), stepsPerEpoch);
    RoundTime predicted = auto.cost.predict(auto.steps);
    LOG.info("--averaging-frequency auto: every {} steps. Probe rounds: a step takes {} s, a round's overhead {} s "
        + "({} MB of state per worker); predicted round {} s, {}% of it communication{}", auto.steps,
        String.format("%.3f", auto.cost.setting().stepSeconds()), String.format("%.3f", predicted.overhead()),
        String.format("%.1f", auto.cost.setting().stateBytes() / 1e6), String.format("%.2f", predicted.total()),
        String.format("%.1f", 100 * predicted.communicationShare()),
        predicted.communicationShare() > RoundCostModel.AUTO_COMMUNICATION_SHARE
            ? " (over 10% even with one round an epoch: larger batches or fewer workers would help)" : "");
    return auto;
  }

  /** Steps per round for the coming epoch. */
  public int steps() {
    return steps;
  }

  /**
   * The finished epoch's {@code cost_model} metrics (the calibration it ran with, and what its steady
   * rounds measured); the model is then recalibrated from them and {@link #steps} is the next epoch's.
   */
  public Map<String, Object> afterEpoch(EpochStats stats, int epoch, boolean more) {
    Map<String, Object> used = cost.describe(steps);
    Optional<EpochStats.Measured> measured = stats.measured();
    if (measured.isPresent()) {
      double step = measured.get().stepSeconds();
      double overhead = measured.get().overheadSeconds();
      used.put("measured_step_s", step);
      used.put("measured_overhead_s", overhead);
      cost = cost.measuredBy(step, overhead);
      int next = cost.autoFrequency(stepsPerEpoch);
      if (next != steps && more) {
        LOG.info("--averaging-frequency auto: every {} steps from epoch {} (epoch {}'s rounds: a step {} s, overhead {} s)",
            next, epoch + 1, epoch, String.format("%.3f", step), String.format("%.3f", overhead));
      }
      steps = next;
    }
    return used;
  }
}
