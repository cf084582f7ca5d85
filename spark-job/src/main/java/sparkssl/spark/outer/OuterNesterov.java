package sparkssl.spark.outer;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Nesterov momentum on the round's averaged change {@code delta = averaged - start} (DiLoCo's outer
 * step, with PyTorch's SGD(nesterov=True) on the outer gradient {@code -delta}):
 * {@code buf = mu * buf + delta; next = start + lr * (delta + mu * buf)}. With {@code lr = 1, mu = 0}
 * it is plain averaging. Parameters outside {@code mask} (batch-norm running statistics, which are
 * set, not learnt) take the plain average.
 */
public final class OuterNesterov implements OuterOptimizer {
  private final double lr;
  private final double momentum;
  private final INDArray mask;
  private INDArray buffer;

  /** @param mask 1 for every parameter the outer step moves, 0 for those that take the plain average */
  public OuterNesterov(double lr, double momentum, INDArray mask) {
    this.lr = lr;
    this.momentum = momentum;
    this.mask = mask;
    this.buffer = Nd4j.zerosLike(mask);
  }

  @Override
  public INDArray step(INDArray start, INDArray averaged) {
    INDArray delta = averaged.sub(start).muli(mask);
    buffer.muli(momentum).addi(delta);
    INDArray stepped = start.add(delta.addi(buffer.mul(momentum)).muli(lr));
    return stepped.subi(averaged).muli(mask).addi(averaged);
  }

  @Override
  public INDArray state() {
    return buffer;
  }

  @Override
  public void load(INDArray state) {
    if (state.length() != buffer.length()) {
      throw new IllegalArgumentException("outer momentum buffer of " + state.length() + " values for " + buffer.length()
          + " parameters");
    }
    buffer = state.reshape(buffer.shape()).castTo(buffer.dataType()).dup();
  }
}
