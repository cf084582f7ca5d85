package sparkssl.spark.cost;

import sparkssl.spark.train.Aggregation;

/**
 * Wall time of one synchronous averaging round of {@code k} steps:
 *
 * <pre>
 *   T(k) = L + serialization + transfer + averaging + k * step
 *   serialization = S/sigma  (driver writes the broadcast)
 *                 + S/sigma  (each worker reads it; not in local mode, where workers share the driver's copy)
 *                 + S/sigma  (each worker writes its result, in parallel)
 *                 + W*S/sigma (driver reads the W results)
 *   transfer      = (S*log2(W+1) + W*S) / B   (torrent broadcast, then every result into the driver; 0 in local mode)
 *   averaging     = W*S/alpha (driver sums) + S/alpha (each worker loads the average, in parallel)
 * </pre>
 *
 * <p>Summed in a tree ({@link Aggregation#TREE}: groups of f = ceil(sqrt(W)) workers, g = ceil(W/f)
 * groups), the driver's W*S terms become those of a group task, which reads f states and writes their
 * sum, in parallel with the other groups, and of the driver, which reads and adds g sums:
 *
 * <pre>
 *   serialization = S/sigma * (2 or 3 + f + 1 + g)
 *   transfer      = (S*log2(W+1) + f*S + g*S) / B
 *   averaging     = (f + g + 1) * S/alpha
 * </pre>
 *
 * and L is the latency of rounds with the tree's extra shuffle stage (calibrate it on probe rounds
 * summed in a tree).
 *
 * with S the bytes of a worker's state, W workers, B the driver's network bandwidth, and the machine's
 * constants: L Spark's per-round latency (a job and its tasks), sigma Java serialisation of an ND4J
 * array, alpha in-memory adds. The broadcast term assumes Spark's torrent broadcast spreads blocks
 * between executors (between one copy and W copies through the driver's link); the results all
 * arrive at the driver, which makes W*S the term that grows with the cluster.
 *
 * @param latencySeconds L
 * @param serializeBytesPerSecond sigma
 * @param averageBytesPerSecond alpha
 */
public record RoundCostModel(double latencySeconds, double serializeBytesPerSecond, double averageBytesPerSecond) {
  /** The communication share {@code --averaging-frequency auto} keeps under. */
  public static final double AUTO_COMMUNICATION_SHARE = 0.10;

  public RoundCostModel {
    if (!(latencySeconds >= 0) || !(serializeBytesPerSecond > 0) || !(averageBytesPerSecond > 0)) {
      throw new IllegalArgumentException("bad constants: latency " + latencySeconds + " s, serialisation "
          + serializeBytesPerSecond + " B/s, averaging " + averageBytesPerSecond + " B/s");
    }
  }

  public RoundTime predict(RoundSetting r, int steps) {
    double s = r.stateBytes();
    int w = r.workers();
    boolean tree = r.aggregation() == Aggregation.TREE && w > 1;
    // states that cross a link into one place, one after another: all W into the driver, or f into a
    // group task and then g sums into the driver
    int gathered = tree ? Aggregation.fanIn(w) + Aggregation.groups(w) : w;
    double serialization = s / serializeBytesPerSecond * ((r.oneJvm() ? 2 : 3) + gathered + (tree ? 1 : 0));
    double transfer = r.oneJvm() ? 0 : (s * log2(w + 1) + gathered * s) / r.networkBytesPerSecond();
    double averaging = (gathered + 1) * s / averageBytesPerSecond;
    return new RoundTime(latencySeconds, serialization, transfer, averaging, steps * r.stepSeconds());
  }

  /**
   * The smallest number of steps per round whose communication share is at most {@code share}, up to
   * {@code maxSteps} (a worker's steps in an epoch, beyond which rounds cannot grow).
   */
  public int smallestFrequency(RoundSetting r, double share, int maxSteps) {
    for (int k = 1; k < maxSteps; k++) {
      if (predict(r, k).communicationShare() <= share) {
        return k;
      }
    }
    return Math.max(1, maxSteps);
  }

  /**
   * This model with L set so that it predicts {@code measuredOverhead} seconds of overhead for {@code
   * r} (L is never below 0): how a probe round on the real cluster calibrates it.
   */
  public RoundCostModel withOverhead(RoundSetting r, double measuredOverhead) {
    RoundTime withoutLatency = new RoundCostModel(0, serializeBytesPerSecond, averageBytesPerSecond).predict(r, 0);
    return new RoundCostModel(Math.max(0, measuredOverhead - withoutLatency.overhead()), serializeBytesPerSecond,
        averageBytesPerSecond);
  }

  private static double log2(double x) {
    return Math.log(x) / Math.log(2);
  }
}
