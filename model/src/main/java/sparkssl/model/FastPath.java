package sparkssl.model;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.layers.convolution.ConvolutionLayer;
import org.deeplearning4j.nn.layers.mkldnn.BaseMKLDNNHelper;
import org.deeplearning4j.nn.layers.normalization.BatchNormalization;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.factory.Nd4j;

/**
 * DL4J's CPU fast path: oneDNN helpers under the convolution and batch-norm layers (nd4j-native's
 * {@code onednn-avx2} build, the corrected {@link BaseMKLDNNHelper}, helpers switched on) with
 * {@code cacheMode(DEVICE)}. Without it DL4J convolves through its own im2col, about 10x slower.
 *
 * <p>Helpers are chosen when a layer is built, from the system property below, so {@link #enable()}
 * must run before any network exists in a JVM. The SSL loss layer's class calls it when it loads,
 * which on Spark workers happens while the network configuration is deserialised, before the
 * worker builds its copy of the network.
 */
public final class FastPath {
  /** DL4J M2.1 reads this when it builds a layer; its default, true, disables every helper. */
  public static final String HELPERS_DISABLE = "org.eclipse.deeplearning4j.helpers.disable";

  private FastPath() {}

  /** Allows helpers in this JVM unless the user set the property explicitly. */
  public static void enable() {
    if (System.getProperty(HELPERS_DISABLE) == null) {
      System.setProperty(HELPERS_DISABLE, "false");
    }
  }

  /** What a network actually runs on. */
  public record Status(String backend, boolean oneDnn, int convLayers, int convHelpers, int bnLayers, int bnHelpers) {
    public boolean active() {
      return oneDnn && convHelpers == convLayers && bnHelpers == bnLayers;
    }

    @Override
    public String toString() {
      return String.format("ND4J backend %s, oneDNN %s; helpers on %d/%d convolution and %d/%d batch-norm layers",
          backend, oneDnn ? "available" : "NOT available", convHelpers, convLayers, bnHelpers, bnLayers);
    }
  }

  public static Status status(MultiLayerNetwork net) {
    return status(net.getLayers());
  }

  public static Status status(ComputationGraph net) {
    return status(net.getLayers());
  }

  private static Status status(Layer[] layers) {
    int conv = 0;
    int convHelpers = 0;
    int bn = 0;
    int bnHelpers = 0;
    for (Layer layer : layers) {
      if (layer instanceof ConvolutionLayer) {
        conv++;
        convHelpers += layer.getHelper() != null ? 1 : 0;
      } else if (layer instanceof BatchNormalization) {
        bn++;
        bnHelpers += layer.getHelper() != null ? 1 : 0;
      }
    }
    String backend = Nd4j.getExecutioner().getEnvironmentInformation().getProperty("backend");
    return new Status(backend, BaseMKLDNNHelper.mklDnnEnabled(), conv, convHelpers, bn, bnHelpers);
  }
}
