package sparkssl.model.loss;

import java.util.Map;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.samediff.SDLayerParams;
import org.deeplearning4j.nn.conf.layers.samediff.SameDiffOutputLayer;
import org.nd4j.autodiff.samediff.SDIndex;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ndarray.INDArray;
import sparkssl.model.FastPath;

/**
 * The output layer shared by all methods: its input is {@code [N, 2D]} (each image's two view
 * projections side by side, see {@code BatchToViews}), it splits the halves into z1 and z2 and
 * hands them to the method's {@link SslLoss}. It has no parameters.
 *
 * <p>DL4J divides an output layer's score by its input rows and the gradients by the batch, both N
 * here, so the layer returns N times the mean loss: the reported score is then the method's loss.
 * Labels are dummies ({@code [N, 1]}): M2.1 crashes in backprop when an output layer needs none.
 */
public class SslLossLayer extends SameDiffOutputLayer {
  static {
    // this class loads when a configuration is deserialised: before a Spark worker builds its network
    FastPath.enable();
  }

  private String method = "simclr";
  private double temperature = 0.2;
  private long projectionSize;

  public SslLossLayer() {}

  public SslLossLayer(String method, double temperature, long projectionSize) {
    this.method = method;
    this.temperature = temperature;
    this.projectionSize = projectionSize;
  }

  /** The loss a method name stands for. */
  public static SslLoss lossFor(String method, double temperature) {
    switch (method) {
      case "simclr":
        return new NtXentLoss(temperature, false);
      default:
        throw new IllegalArgumentException("unknown method '" + method + "' (supported: simclr)");
    }
  }

  @Override
  public SDVariable defineLayer(SameDiff sd, SDVariable input, SDVariable labels, Map<String, SDVariable> params) {
    SameDiffChatter.silence();
    SDVariable z1 = input.get(SDIndex.all(), SDIndex.interval(0L, projectionSize));
    SDVariable z2 = input.get(SDIndex.all(), SDIndex.interval(projectionSize, 2 * projectionSize));
    SDVariable n = sd.sizeAt(input, 0).castTo(input.dataType());
    return lossFor(method, temperature).loss(sd, ViewOutputs.of(z1, z2)).mul(n);
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
  public double getTemperature() { return temperature; }
  public void setTemperature(double temperature) { this.temperature = temperature; }
  public long getProjectionSize() { return projectionSize; }
  public void setProjectionSize(long projectionSize) { this.projectionSize = projectionSize; }
}
