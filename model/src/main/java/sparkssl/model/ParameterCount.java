package sparkssl.model;

import java.util.Map;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
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
        if (isTrainable(layer, p.getKey())) {
          n += p.getValue().length();
        }
      }
    }
    return n;
  }

  /**
   * An array of {@code net.params()}'s shape and type: 1 where the parameter is trainable, 0 where it
   * is a running statistic. Each parameter is a contiguous view of the flattened parameters.
   */
  public static INDArray trainableMask(ComputationGraph net) {
    INDArray all = net.params();
    INDArray mask = Nd4j.ones(all.dataType(), all.length());
    for (Layer layer : net.getLayers()) {
      for (Map.Entry<String, INDArray> p : layer.paramTable().entrySet()) {
        if (!isTrainable(layer, p.getKey())) {
          long from = p.getValue().offset() - all.offset();
          mask.get(NDArrayIndex.interval(from, from + p.getValue().length())).assign(0);
        }
      }
    }
    return mask.reshape(all.shape());
  }

  private static boolean isTrainable(Layer layer, String param) {
    return !(layer.conf().getLayer().getUpdaterByParam(param) instanceof NoOp);
  }
}
