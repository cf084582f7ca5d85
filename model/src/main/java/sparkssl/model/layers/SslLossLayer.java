package sparkssl.model.layers;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.samediff.SDLayerParams;
import org.deeplearning4j.nn.conf.layers.samediff.SameDiffOutputLayer;
import org.nd4j.autodiff.samediff.SDIndex;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ndarray.INDArray;
import sparkssl.model.FastPath;
import sparkssl.model.loss.SameDiffChatter;
import sparkssl.model.loss.ViewOutputs;
import sparkssl.model.method.MethodOptions;
import sparkssl.model.method.Methods;

/**
 * The output layer shared by all methods. Its input is {@code [N, V*W]}: each image's V view outputs
 * side by side (see {@code BatchToViews}), each the projection z, followed by the prediction p when
 * the method has a predictor. Its labels are {@code [N, 1 + T*D]}: the example's plan position (for
 * tracing; the loss ignores it), then the teacher's targets for T global views. It splits both into
 * {@link ViewOutputs} for the method's loss. It has no parameters.
 *
 * <p>DL4J divides an output layer's score by its input rows and the gradients by the batch, both N
 * here, so the layer returns N times the mean loss: the reported score is then the method's loss.
 */
public class SslLossLayer extends SameDiffOutputLayer {
  static {
    // this class loads when a configuration is deserialised: before a Spark worker builds its network
    FastPath.enable();
  }

  private String method = "simclr";
  private MethodOptions options = new MethodOptions();
  private int numViews = 2;
  private long outputSize;
  private boolean predictor;
  private int targetViews;

  public SslLossLayer() {}

  public SslLossLayer(String method, MethodOptions options, int numViews, long outputSize, boolean predictor,
      int targetViews) {
    this.method = method;
    this.options = options;
    this.numViews = numViews;
    this.outputSize = outputSize;
    this.predictor = predictor;
    this.targetViews = targetViews;
  }

  @Override
  public SDVariable defineLayer(SameDiff sd, SDVariable input, SDVariable labels, Map<String, SDVariable> params) {
    SameDiffChatter.silence();
    long width = predictor ? 2 * outputSize : outputSize;
    List<SDVariable> z = new ArrayList<>();
    List<SDVariable> p = new ArrayList<>();
    for (int v = 0; v < numViews; v++) {
      z.add(columns(input, v * width, outputSize));
      if (predictor) {
        p.add(columns(input, v * width + outputSize, outputSize));
      }
    }
    List<SDVariable> targets = new ArrayList<>();
    for (int t = 0; t < targetViews; t++) {
      targets.add(columns(labels, 1 + t * outputSize, outputSize));
    }
    SDVariable n = sd.sizeAt(input, 0).castTo(input.dataType());
    SDVariable loss = Methods.get(method).loss(options).loss(sd, new ViewOutputs(z, p, targets)).mul(n);
    // named explicitly: SameDiff would guess, and a loss that leaves a slice unused (BYOL reads no z) confuses it
    sd.setLossVariables(loss);
    return loss;
  }

  private static SDVariable columns(SDVariable x, long from, long count) {
    return x.get(SDIndex.all(), SDIndex.interval(from, from + count));
  }

  @Override
  public String activationsVertexName() {
    return "input";
  }

  @Override
  public void defineParameters(SDLayerParams params) {}

  @Override
  public void initializeParameters(Map<String, INDArray> params) {}

  @Override
  public InputType getOutputType(int layerIndex, InputType inputType) {
    return inputType;
  }

  public String getMethod() { return method; }
  public void setMethod(String method) { this.method = method; }
  public MethodOptions getOptions() { return options; }
  public void setOptions(MethodOptions options) { this.options = options; }
  public int getNumViews() { return numViews; }
  public void setNumViews(int numViews) { this.numViews = numViews; }
  public long getOutputSize() { return outputSize; }
  public void setOutputSize(long outputSize) { this.outputSize = outputSize; }
  public boolean isPredictor() { return predictor; }
  public void setPredictor(boolean predictor) { this.predictor = predictor; }
  public int getTargetViews() { return targetViews; }
  public void setTargetViews(int targetViews) { this.targetViews = targetViews; }
}
