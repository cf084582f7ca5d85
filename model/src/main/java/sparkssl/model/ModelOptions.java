package sparkssl.model;

import java.io.Serializable;
import sparkssl.model.optim.OptimizerOptions;

/** Shape and optimisation settings of the SSL network. Defaults suit 28-32 px images. */
public final class ModelOptions implements Serializable {
  private static final long serialVersionUID = 1L;

  /** Self-supervised method; only {@code simclr} so far. */
  public String method = "simclr";
  /** Image channels (1 grey, 3 colour) and side length of each view. */
  public int channels = 1;
  public int imageSize = 28;
  /** Views per image stacked on the channel axis. */
  public int numViews = 2;
  /** Output channels of the encoder's three 3x3 convolutions (strides 1, 2, 2). */
  public int[] convWidths = {32, 64, 128};
  /** Batch norm after each convolution (conv-BN-ReLU); without it, conv(+bias)-ReLU. */
  public boolean batchNorm = true;
  /** Projector MLP: hidden width and output (projection) size. */
  public int projectorHidden = 128;
  public int projectionSize = 64;
  /** Optimiser, learning rate and schedule. */
  public OptimizerOptions optimizer = new OptimizerOptions();
  /** NT-Xent temperature. */
  public double temperature = 0.2;
  /** Weight-initialisation seed. */
  public long seed = 42;
}
