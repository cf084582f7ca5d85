package sparkssl.model.layers;

import java.util.Map;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.samediff.SDLayerParams;
import org.deeplearning4j.nn.conf.layers.samediff.SameDiffLayer;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * DINO's last layer: the L2-normalised bottleneck scored against K prototypes of unit norm (the
 * paper's weight-normalised linear layer with its norm fixed at 1), {@code [M, B] -> [M, K]}, so every
 * score lies in [-1, 1] before the temperature.
 */
public class PrototypeLayer extends SameDiffLayer {
  private long nIn;
  private int prototypes;

  public PrototypeLayer() {}

  public PrototypeLayer(int prototypes) {
    this.prototypes = prototypes;
  }

  @Override
  public SDVariable defineLayer(SameDiff sd, SDVariable x, Map<String, SDVariable> p, SDVariable mask) {
    SDVariable w = p.get("W");
    return ExternalErrorsFix.layerOutput(sd, x.div(x.norm2(true, 1)).mmul(w.div(w.norm2(true, 0))));
  }

  @Override
  public void defineParameters(SDLayerParams params) {
    params.addWeightParam("W", nIn, prototypes);
  }

  @Override
  public void initializeParameters(Map<String, INDArray> params) {
    PredictorLayer.uniform(params.get("W"), nIn);
  }

  @Override
  public InputType getOutputType(int layerIndex, InputType inputType) {
    return InputType.feedForward(prototypes);
  }

  @Override
  public void setNIn(InputType inputType, boolean override) {
    if (nIn <= 0 || override) {
      nIn = ((InputType.InputTypeFeedForward) inputType).getSize();
    }
  }

  public long getNIn() { return nIn; }
  public void setNIn(long nIn) { this.nIn = nIn; }
  public int getPrototypes() { return prototypes; }
  public void setPrototypes(int prototypes) { this.prototypes = prototypes; }
}
