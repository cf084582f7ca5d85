package sparkssl.model;

import java.io.Serializable;
import sparkssl.model.backbones.Backbones;
import sparkssl.model.method.Heads;
import sparkssl.model.method.MethodOptions;
import sparkssl.model.method.Methods;
import sparkssl.model.optim.OptimizerOptions;

/** Shape and optimisation settings of the SSL network. Defaults suit 28-32 px images. */
public final class ModelOptions implements Serializable {
  private static final long serialVersionUID = 3L;

  /** Self-supervised method, a name of {@link Methods}. */
  public String method = "simclr";
  /** Settings of the method's loss and teacher. */
  public MethodOptions methodOptions = new MethodOptions();
  /** Image channels (1 grey, 3 colour) and side length of each view. */
  public int channels = 1;
  public int imageSize = 28;
  /** Views per image stacked on the channel axis. */
  public int numViews = 2;
  /** Encoder body, a name of {@link sparkssl.model.backbones.Backbones}. */
  public String backbone = "small-cnn";
  /** The small CNN's output channels, one 3x3 convolution per width (strides 1, then 2). */
  public int[] convWidths = Backbones.smallCnnWidths();
  /** The small CNN's batch norm after each convolution (conv-BN-ReLU); without it, conv(+bias)-ReLU. */
  public boolean batchNorm = true;
  /** Projector MLP hidden width and output size; 0 = the method's default. */
  public int projectorHidden = 0;
  public int projectionSize = 0;
  /** Predictor hidden width and DINO's prototype count, for methods that have them; 0 = the method's default. */
  public int predictorHidden = 0;
  public int prototypes = 0;
  /** Optimiser, learning rate and schedule. */
  public OptimizerOptions optimizer = new OptimizerOptions();
  /** Weight-initialisation seed. */
  public long seed = 42;

  /** The method's heads with any size set here. */
  public Heads heads() {
    return Methods.get(method).heads().resized(projectorHidden, projectionSize, predictorHidden, prototypes);
  }
}
