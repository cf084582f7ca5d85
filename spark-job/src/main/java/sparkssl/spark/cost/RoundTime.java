package sparkssl.spark.cost;

/**
 * A round's predicted wall time, in seconds, by part.
 *
 * @param latency Spark's fixed cost of a round: one job, its tasks launched and their results handled
 * @param serialization the state serialised and deserialised on its way to the workers and back
 * @param transfer the bytes on the network
 * @param averaging the driver averaging the workers' states, and each worker loading the average
 * @param compute the round's steps, one after another on each worker
 */
public record RoundTime(double latency, double serialization, double transfer, double averaging, double compute) {

  public double total() {
    return overhead() + compute;
  }

  /** Everything but the steps: what averaging every step pays each time. */
  public double overhead() {
    return latency + serialization + transfer + averaging;
  }

  /** The share of the round's wall time that is not computing steps. */
  public double communicationShare() {
    double t = total();
    return t == 0 ? 0 : overhead() / t;
  }
}
