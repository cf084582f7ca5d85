package sparkssl.spark.data;

import org.apache.spark.api.java.JavaSparkContext;

/** A training epoch's rounds, planned from the run's current keys, as the epoch loop uses them. */
public interface Epoch extends EpochRounds {
  /** Images of the current keys that sit this epoch out because they do not fill a last step. */
  long dropped();

  /**
   * Starts the epoch's costly preparation in the background, so that its first round does not wait
   * for it; an epoch that has none to start (its data already on the workers) does nothing.
   */
  default void prefetch(JavaSparkContext sc) {}
}
