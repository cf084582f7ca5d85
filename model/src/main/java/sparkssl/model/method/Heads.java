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

  public Heads withProjector(int hidden, int size) {
    return new Heads(hidden, size, projectorBatchNorm, predictorHidden, prototypes);
  }
}
