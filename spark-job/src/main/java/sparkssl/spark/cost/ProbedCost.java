package sparkssl.spark.cost;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.api.java.JavaSparkContext;
import org.deeplearning4j.nn.graph.ComputationGraph;
import sparkssl.spark.train.ProbeRound;
import sparkssl.spark.train.RoundAveragingMaster;

/**
 * The cost model calibrated on the cluster a run uses: this JVM's serialisation and add rates, then
 * probe rounds of synthetic batches through the run's own master, whose median overhead sets the
 * model's latency and whose median step time is the compute per step.
 *
 * @param model the calibrated model
 * @param setting the run's round (its workers, state bytes, step time)
 * @param probes the timed probe rounds
 */
public record ProbedCost(RoundCostModel model, RoundSetting setting, List<ProbeRound> probes) {
  /** Steps in each probe round; untimed rounds first (JIT and oneDNN warm up over several), then timed ones. */
  public static final int PROBE_STEPS = 2;
  public static final int WARMUP_ROUNDS = 3;
  public static final int PROBE_ROUNDS = 3;

  /**
   * @param warmups untimed rounds first: a cold executor's steps stay slower for tens of steps (JIT,
   *     oneDNN primitives), so a short warm-up overestimates the step and the auto frequency errs low
   */
  public static ProbedCost measure(JavaSparkContext sc, RoundAveragingMaster master, ComputationGraph net, long[] featureShape,
      int workers, int warmups) {
    long stateBytes = master.stateBytes(net);
    List<ProbeRound> probes = master.probe(sc, net, featureShape, PROBE_STEPS, warmups, PROBE_ROUNDS);
    double step = median(probes.stream().mapToDouble(ProbeRound::stepSeconds).toArray());
    double overhead = median(probes.stream().mapToDouble(ProbeRound::overheadSeconds).toArray());
    // on a cluster the network's share is inside the measured overhead, which calibrates L for this cluster
    RoundSetting setting = new RoundSetting(workers, stateBytes, step, Double.POSITIVE_INFINITY, sc.isLocal(), master.aggregation());
    return new ProbedCost(MeasuredRates.measure().withOverhead(setting, overhead), setting, probes);
  }

  /**
   * The model recalibrated by what real rounds cost: their step and their overhead replace the
   * probe's (an epoch's steady rounds are warmer than a probe on just-started executors).
   */
  public ProbedCost measuredBy(double stepSeconds, double overheadSeconds) {
    RoundSetting measured = setting.withStepSeconds(stepSeconds);
    return new ProbedCost(model.withOverhead(measured, overheadSeconds), measured, probes);
  }

  private static double median(double[] values) {
    double[] v = values.clone();
    Arrays.sort(v);
    return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
  }

  public RoundTime predict(int steps) {
    return model.predict(setting, steps);
  }

  /** The fewest steps per round that keep communication at most 10% (a worker's steps per epoch at most). */
  public int autoFrequency(long stepsPerEpoch) {
    return model.smallestFrequency(setting, RoundCostModel.AUTO_COMMUNICATION_SHARE, (int) Math.min(Integer.MAX_VALUE, stepsPerEpoch));
  }

  /** For metrics.jsonl and config: the calibration and the prediction at {@code steps} per round. */
  public Map<String, Object> describe(int steps) {
    RoundTime t = predict(steps);
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("state_bytes", setting.stateBytes());
    m.put("step_s", setting.stepSeconds());
    m.put("latency_s", model.latencySeconds());
    m.put("serialize_bytes_per_s", model.serializeBytesPerSecond());
    m.put("average_bytes_per_s", model.averageBytesPerSecond());
    m.put("steps_per_round", steps);
    m.put("predicted_round_s", t.total());
    m.put("predicted_overhead_s", t.overhead());
    m.put("predicted_communication_share", t.communicationShare());
    return m;
  }
}
