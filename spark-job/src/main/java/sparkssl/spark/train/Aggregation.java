package sparkssl.spark.train;

/**
 * Where a round's worker states are summed. {@link #DRIVER}: every worker's state is collected by the
 * driver, which adds them one after another ({@code W} states into one link and one thread).
 * {@link #TREE}: workers are grouped {@link #fanIn} at a time; each group's states are shuffled to
 * one task, which sums them, and the driver collects and adds only the groups' sums. It costs a
 * shuffle stage per round and pays when {@code W} states of the model would crowd the driver's link.
 */
public enum Aggregation {
  DRIVER, TREE;

  /** Workers per group: about sqrt(W), so the group tasks and the driver each take about sqrt(W) states. */
  public static int fanIn(int workers) {
    return (int) Math.ceil(Math.sqrt(workers));
  }

  public static int groups(int workers) {
    return (workers + fanIn(workers) - 1) / fanIn(workers);
  }
}
