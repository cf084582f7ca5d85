package sparkssl.model.layers;

import java.util.Map;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.samediff.SDLayerParams;
import org.deeplearning4j.nn.conf.layers.samediff.SameDiffLayer;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The predictor of BYOL and SimSiam, {@code p = Linear(BN(ReLU... ))}: {@code Linear(hidden) -BN -ReLU
 * -Linear(size)}, passing its input through beside its output, {@code [M, D] -> [M, D + size]}, because
 * the loss needs both the projection z and the prediction p of every view.
 *
 * <p>Its batch norm always uses the batch's statistics (there is no inference mode to keep running
 * statistics for: the predictor only serves the loss), over all views of the worker batch together.
 * Linear layers start like PyTorch's {@code nn.Linear}: U(-1/sqrt(fan_in), 1/sqrt(fan_in)).
 */
public class PredictorLayer extends SameDiffLayer {
  private long nIn;
  private int hidden;
  private int size;

  public PredictorLayer() {}

  public PredictorLayer(int hidden, int size) {
    this.hidden = hidden;
    this.size = size;
  }

  @Override
  public SDVariable defineLayer(SameDiff sd, SDVariable z, Map<String, SDVariable> p, SDVariable mask) {
    SDVariable h = z.mmul(p.get("W1")).add(p.get("b1"));
    SDVariable centred = h.sub(h.mean(true, 0));
    SDVariable normalised = centred.div(centred.mul(centred).mean(true, 0).add(1e-5).pow(0.5));
    SDVariable r = sd.nn.relu(normalised.mul(p.get("gamma")).add(p.get("beta")), 0.0);
    return ExternalErrorsFix.layerOutput(sd, sd.concat(1, z, r.mmul(p.get("W2")).add(p.get("b2"))));
  }

  @Override
  public void defineParameters(SDLayerParams params) {
    params.addWeightParam("W1", nIn, hidden);
    params.addBiasParam("b1", 1, hidden);
    params.addBiasParam("gamma", 1, hidden);
    params.addBiasParam("beta", 1, hidden);
    params.addWeightParam("W2", hidden, size);
    params.addBiasParam("b2", 1, size);
  }

  @Override
  public void initializeParameters(Map<String, INDArray> params) {
    uniform(params.get("W1"), nIn);
    uniform(params.get("b1"), nIn);
    params.get("gamma").assign(1);
    params.get("beta").assign(0);
    uniform(params.get("W2"), hidden);
    uniform(params.get("b2"), hidden);
  }

  static void uniform(INDArray a, long fanIn) {
    double bound = 1 / Math.sqrt(fanIn);
    a.assign(Nd4j.rand(a.dataType(), a.shape()).muli(2 * bound).subi(bound));
  }

  @Override
  public InputType getOutputType(int layerIndex, InputType inputType) {
    return InputType.feedForward(nIn + size);
  }

  @Override
  public void setNIn(InputType inputType, boolean override) {
    if (nIn <= 0 || override) {
      nIn = ((InputType.InputTypeFeedForward) inputType).getSize();
    }
  }

  public long getNIn() { return nIn; }
  public void setNIn(long nIn) { this.nIn = nIn; }
  public int getHidden() { return hidden; }
  public void setHidden(int hidden) { this.hidden = hidden; }
  public int getSize() { return size; }
  public void setSize(int size) { this.size = size; }
}
