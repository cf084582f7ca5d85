package sparkssl.spark.outer;

import org.nd4j.linalg.api.ndarray.INDArray;

/** Plain parameter averaging: the next round starts from the workers' average. */
public final class PlainAverage implements OuterOptimizer {
  @Override
  public INDArray step(INDArray start, INDArray averaged) {
    return averaged;
  }

  @Override
  public INDArray state() {
    return null;
  }

  @Override
  public void load(INDArray state) {
    throw new IllegalStateException("plain averaging keeps no state to restore");
  }
}
