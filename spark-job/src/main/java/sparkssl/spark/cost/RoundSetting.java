package sparkssl.spark.cost;

import sparkssl.spark.train.Aggregation;

/**
 * One averaging round as the cost model sees it.
 *
 * @param workers workers training at once
 * @param stateBytes bytes one worker's state takes: parameters (batch-norm statistics included),
 *     updater state and teacher, the payload broadcast to every worker and collected from each
 * @param stepSeconds one worker's training step, forward and backward
 * @param networkBytesPerSecond the driver's link; {@link Double#POSITIVE_INFINITY} in local mode
 * @param oneJvm local mode: workers are threads of the driver and read the broadcast without
 *     deserialising it, and nothing crosses a network
 * @param aggregation where the workers' states are summed
 */
public record RoundSetting(int workers, long stateBytes, double stepSeconds, double networkBytesPerSecond, boolean oneJvm,
    Aggregation aggregation) {
  /** A round whose states are summed on the driver. */
  public RoundSetting(int workers, long stateBytes, double stepSeconds, double networkBytesPerSecond, boolean oneJvm) {
    this(workers, stateBytes, stepSeconds, networkBytesPerSecond, oneJvm, Aggregation.DRIVER);
  }

  public RoundSetting {
    if (workers < 1 || stateBytes < 0 || !(stepSeconds >= 0) || !(networkBytesPerSecond > 0)) {
      throw new IllegalArgumentException("bad round: workers " + workers + ", state " + stateBytes + " B, step "
          + stepSeconds + " s, network " + networkBytesPerSecond + " B/s");
    }
  }

  public RoundSetting withWorkers(int w) {
    return new RoundSetting(w, stateBytes, stepSeconds, networkBytesPerSecond, oneJvm, aggregation);
  }

  public RoundSetting withAggregation(Aggregation a) {
    return new RoundSetting(workers, stateBytes, stepSeconds, networkBytesPerSecond, oneJvm, a);
  }

  public RoundSetting withStepSeconds(double step) {
    return new RoundSetting(workers, stateBytes, step, networkBytesPerSecond, oneJvm, aggregation);
  }
}
