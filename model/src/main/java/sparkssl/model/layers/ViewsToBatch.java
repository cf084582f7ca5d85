package sparkssl.model.layers;

import org.deeplearning4j.nn.api.MaskState;
import org.deeplearning4j.nn.conf.InputPreProcessor;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * {@code [N, V*C, H, W] -> [V*N, C, H, W]}: the views of each image, stacked on channels, become a
 * batch of V*N images ordered view-major (all first views, then all second views, ...). An input
 * with only C channels is a batch of plain images and passes unchanged, which is how the trained
 * encoder embeds single images.
 *
 * <p>A preprocessor rather than a SameDiff lambda layer: M2.1's SameDiffLambdaLayer doubles the
 * gradient it passes back (even for {@code x * 1}), which a finite-difference check shows at once.
 * Needs a no-arg constructor and setters: configurations travel to Spark workers as JSON.
 */
public class ViewsToBatch implements InputPreProcessor {
  private static final long serialVersionUID = 1L;

  private int numViews;
  private int channels;
  private int height;
  private int width;

  public ViewsToBatch() {}

  public ViewsToBatch(int numViews, int channels, int height, int width) {
    this.numViews = numViews;
    this.channels = channels;
    this.height = height;
    this.width = width;
  }

  @Override
  public INDArray preProcess(INDArray input, int miniBatchSize, LayerWorkspaceMgr mgr) {
    if (input.size(1) == channels) {
      return mgr.leverageTo(ArrayType.ACTIVATIONS, input);
    }
    long n = input.size(0);
    INDArray viewMajor = input.reshape('c', n, numViews, channels, height, width).permute(1, 0, 2, 3, 4);
    return mgr.dup(ArrayType.ACTIVATIONS, viewMajor, 'c').reshape('c', numViews * n, channels, height, width);
  }

  @Override
  public INDArray backprop(INDArray epsilon, int miniBatchSize, LayerWorkspaceMgr mgr) {
    if (epsilon.size(0) == miniBatchSize) {
      return mgr.leverageTo(ArrayType.ACTIVATION_GRAD, epsilon); // the forward pass was a pass-through
    }
    long n = miniBatchSize;
    INDArray imageMajor = epsilon.reshape('c', numViews, n, channels, height, width).permute(1, 0, 2, 3, 4);
    return mgr.dup(ArrayType.ACTIVATION_GRAD, imageMajor, 'c').reshape('c', n, (long) numViews * channels, height, width);
  }

  @Override
  public InputType getOutputType(InputType inputType) {
    return InputType.convolutional(height, width, channels);
  }

  @Override
  public Pair<INDArray, MaskState> feedForwardMaskArray(INDArray maskArray, MaskState currentMaskState, int minibatchSize) {
    return new Pair<>(maskArray, currentMaskState);
  }

  @Override
  public ViewsToBatch clone() {
    return new ViewsToBatch(numViews, channels, height, width);
  }

  public int getNumViews() { return numViews; }
  public void setNumViews(int numViews) { this.numViews = numViews; }
  public int getChannels() { return channels; }
  public void setChannels(int channels) { this.channels = channels; }
  public int getHeight() { return height; }
  public void setHeight(int height) { this.height = height; }
  public int getWidth() { return width; }
  public void setWidth(int width) { this.width = width; }
}
