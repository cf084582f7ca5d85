package sparkssl.model;

import java.util.Map;
import org.deeplearning4j.nn.api.Layer;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.learning.config.NoOp;

/**
 * Trainable parameters of a network, counted as PyTorch counts them: DL4J's {@code numParams()}
 * also holds each batch-norm layer's running mean and variance (DL4J's batch norm and the fused
 * conv-BN-ReLU layer alike), which PyTorch keeps as buffers. Those are the parameters whose updater
 * is {@code NoOp}: their step is set, not learnt.
 */
public final class ParameterCount {
  private ParameterCount() {}

  /** Pass a network's {@code getLayers()}. */
  public static long trainable(Layer[] layers) {
    long n = 0;
    for (Layer layer : layers) {
      for (Map.Entry<String, INDArray> p : layer.paramTable().entrySet()) {
        if (!(layer.conf().getLayer().getUpdaterByParam(p.getKey()) instanceof NoOp)) {
          n += p.getValue().length();
        }
      }
    }
    return n;
  }
}
