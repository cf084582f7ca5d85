package sparkssl.model.method;

import java.io.Serializable;

/**
 * The heads on top of the encoder, as data. Projector: {@code Linear(hidden) [-BN] -ReLU -Linear(size)}.
 * Predictor (0 = none): {@code Linear(predictorHidden) -BN -ReLU -Linear(size)}. Prototypes (0 = none,
 * DINO): the projection is L2-normalised and scored against that many unit-norm prototypes.
 */
public record Heads(int projectorHidden, int projectionSize, boolean projectorBatchNorm, int predictorHidden,
    int prototypes) implements Serializable {

  /** Width of one view's output as the loss sees it: the prototype scores, else the projection. */
  public int outputSize() {
    return prototypes > 0 ? prototypes : projectionSize;
  }

  /** These heads with any size that is positive replaced. */
  public Heads resized(int hidden, int size, int predictor, int prototypeCount) {
    return new Heads(hidden > 0 ? hidden : projectorHidden, size > 0 ? size : projectionSize, projectorBatchNorm,
        predictorHidden > 0 && predictor > 0 ? predictor : predictorHidden,
        prototypes > 0 && prototypeCount > 0 ? prototypeCount : prototypes);
  }
}
