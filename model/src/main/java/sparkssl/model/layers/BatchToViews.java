package sparkssl.model.layers;

import org.deeplearning4j.nn.api.MaskState;
import org.deeplearning4j.nn.conf.InputPreProcessor;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * {@code [V*N, D] -> [N, V*D]}, the inverse of {@link ViewsToBatch} for feature vectors: each row
 * holds one image's view projections side by side again.
 *
 * <p>Sits in front of the loss so the loss layer's batch is the network's batch (N images): DL4J
 * divides the score by the loss layer's input rows and the gradients by the network's, and the two
 * must agree.
 */
public class BatchToViews implements InputPreProcessor {
  private static final long serialVersionUID = 1L;

  private int numViews;
  private int size;

  public BatchToViews() {}

  public BatchToViews(int numViews, int size) {
    this.numViews = numViews;
    this.size = size;
  }

  @Override
  public INDArray preProcess(INDArray input, int miniBatchSize, LayerWorkspaceMgr mgr) {
    long n = input.size(0) / numViews;
    INDArray imageMajor = input.reshape('c', numViews, n, size).permute(1, 0, 2);
    return mgr.dup(ArrayType.ACTIVATIONS, imageMajor, 'c').reshape('c', n, (long) numViews * size);
  }

  @Override
  public INDArray backprop(INDArray epsilon, int miniBatchSize, LayerWorkspaceMgr mgr) {
    long n = epsilon.size(0);
    INDArray viewMajor = epsilon.reshape('c', n, numViews, size).permute(1, 0, 2);
    return mgr.dup(ArrayType.ACTIVATION_GRAD, viewMajor, 'c').reshape('c', numViews * n, size);
  }

  @Override
  public InputType getOutputType(InputType inputType) {
    return InputType.feedForward((long) numViews * size);
  }

  @Override
  public Pair<INDArray, MaskState> feedForwardMaskArray(INDArray maskArray, MaskState currentMaskState, int minibatchSize) {
    return new Pair<>(maskArray, currentMaskState);
  }

  @Override
  public BatchToViews clone() {
    return new BatchToViews(numViews, size);
  }

  public int getNumViews() { return numViews; }
  public void setNumViews(int numViews) { this.numViews = numViews; }
  public int getSize() { return size; }
  public void setSize(int size) { this.size = size; }
}
