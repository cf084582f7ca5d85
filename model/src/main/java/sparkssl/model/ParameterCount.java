package sparkssl.model;

import java.util.Map;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.layers.normalization.BatchNormalization;
import org.deeplearning4j.nn.params.BatchNormalizationParamInitializer;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Trainable parameters of a network, counted as PyTorch counts them: DL4J's {@code numParams()}
 * also holds each batch-norm layer's running mean and variance, which PyTorch keeps as buffers.
 */
public final class ParameterCount {
  private ParameterCount() {}

  /** Pass a network's {@code getLayers()}. */
  public static long trainable(Layer[] layers) {
    long n = 0;
    for (Layer layer : layers) {
      for (Map.Entry<String, INDArray> p : layer.paramTable().entrySet()) {
        if (!(layer instanceof BatchNormalization) || isScaleOrShift(p.getKey())) {
          n += p.getValue().length();
        }
      }
    }
    return n;
  }

  private static boolean isScaleOrShift(String key) {
    return key.equals(BatchNormalizationParamInitializer.GAMMA) || key.equals(BatchNormalizationParamInitializer.BETA);
  }
}
