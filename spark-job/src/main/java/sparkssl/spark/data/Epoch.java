package sparkssl.spark.data;

import org.apache.spark.api.java.JavaSparkContext;

/** A training epoch's rounds, planned from the run's current keys, as the epoch loop uses them. */
public interface Epoch extends EpochRounds {
  /** Images of the current keys that sit this epoch out because they do not fill a last step. */
  long dropped();

  /**
   * Starts the epoch's costly preparation in the background, so that its first round does not wait
   * for it, and says whether there was any: an epoch whose data is already on the workers has none.
   */
  default boolean prefetch(JavaSparkContext sc) {
    return false;
  }
}
