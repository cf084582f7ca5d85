package sparkssl.spark.cost;

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
    double serialization = s / serializeBytesPerSecond * ((r.oneJvm() ? 2 : 3) + w);
    double transfer = r.oneJvm() ? 0 : (s * log2(w + 1) + w * s) / r.networkBytesPerSecond();
    double averaging = (w + 1) * s / averageBytesPerSecond;
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
