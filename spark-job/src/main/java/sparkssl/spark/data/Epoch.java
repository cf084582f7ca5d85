package sparkssl.spark.data;

import org.apache.spark.api.java.JavaSparkContext;

/** A training epoch's rounds, planned from the run's current keys, as the epoch loop uses them. */
public interface Epoch extends EpochRounds {
  /** Images of the current keys that sit this epoch out because they do not fill a last step. */
  long dropped();

  /** Whether the epoch has costly preparation to start early: its data is not already on the workers. */
  default boolean prefetches() {
    return false;
  }

  /**
   * Starts the epoch's costly preparation in the background, if it {@link #prefetches}, so that its
   * first round does not wait for it.
   */
  default void prefetch(JavaSparkContext sc) {}

  /** Frees what the epoch kept on the driver and the executors once its training is over. */
  default void release() {}
}
