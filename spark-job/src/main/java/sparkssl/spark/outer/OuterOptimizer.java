package sparkssl.spark.outer;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The driver's step at the end of an averaging round: from the parameters the round started from and
 * the workers' equal-weight average, the parameters the next round starts from. Updater state, batch-norm
 * running statistics and EMA teachers are averaged plainly whatever the variant.
 */
public interface OuterOptimizer {
  /** The next round's parameters; {@code start} and {@code averaged} are left as they are. */
  INDArray step(INDArray start, INDArray averaged);

  /** State to checkpoint beside the network (null when the variant keeps none). */
  INDArray state();

  /** Restores what {@link #state()} returned. */
  void load(INDArray state);
}
