package sparkssl.model;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.layers.convolution.ConvolutionLayer;
import org.deeplearning4j.nn.layers.mkldnn.BaseMKLDNNHelper;
import org.deeplearning4j.nn.layers.normalization.BatchNormalization;
import org.nd4j.linalg.factory.Nd4j;
import sparkssl.model.onednn.FusedConvLayer;

/**
 * DL4J's CPU fast path: oneDNN helpers under the convolution and batch-norm layers (nd4j-native's
 * {@code onednn-avx2} build, the corrected {@link BaseMKLDNNHelper}, helpers switched on) with
 * {@code cacheMode(DEVICE)}. Without it DL4J convolves through its own im2col, about 10x slower.
 * Conv-BN-ReLU blocks go further, as one layer on oneDNN primitives of their own
 * ({@link sparkssl.model.blocks.ConvLayers}).
 *
 * <p>Helpers are chosen when a layer is built, from the system property below, so {@link #enable()}
 * must run before any network exists in a JVM. The SSL loss layer's class calls it when it loads,
 * which on Spark workers happens while the network configuration is deserialised, before the
 * worker builds its copy of the network.
 *
 * <p>On the CUDA backend the GPU is the fast path. DL4J's cuDNN layer helpers live in
 * {@code deeplearning4j-cuda-11.6}, which was never published for M2.1, so DL4J's layers run their
 * own CUDA kernels and cuBLAS there; helpers stay off, or DL4J would look for those classes, and
 * warn, for every layer it builds.
 */
public final class FastPath {
  /** DL4J M2.1 reads this when it builds a layer; its default, true, disables every helper. */
  public static final String HELPERS_DISABLE = "org.eclipse.deeplearning4j.helpers.disable";

  private FastPath() {}

  /** Allows helpers in this JVM, on the CPU backend, unless the user set the property explicitly. */
  public static void enable() {
    if (System.getProperty(HELPERS_DISABLE) == null && !Devices.cuda()) {
      System.setProperty(HELPERS_DISABLE, "false");
    }
    if (!Devices.cuda() && !blasSingleThreaded) {
      // OpenBLAS only multiplies the heads' small matrices here (convolutions are oneDNN's): its
      // threads spin between those calls against oneDNN's and cost more than they parallelise
      // (conv-BN-ReLU step at 2 threads: 650 -> 830-950 pairs/s single-threaded)
      Nd4j.factory().blas().setMaxThreads(1);
      blasSingleThreaded = true;
    }
  }

  private static volatile boolean blasSingleThreaded;

  /** What a network actually runs on; {@code cuda} is the calling thread's GPU, null on the CPU backend. */
  public record Status(String cuda, boolean oneDnn, int convLayers, int convHelpers, int bnLayers, int bnHelpers,
      int fusedLayers) {
    public boolean active() {
      return cuda != null || (oneDnn && convHelpers == convLayers && bnHelpers == bnLayers);
    }

    /** In a few words: {@code cpu (oneDNN)}, {@code cpu (oneDNN off)} or the GPU, e.g. {@code cuda:0 (NVIDIA A100)}. */
    public String device() {
      return cuda != null ? cuda : active() ? "cpu (oneDNN)" : "cpu (oneDNN off)";
    }

    /** e.g. {@code cpu (oneDNN); helpers on 3/3 convolution and 3/3 batch-norm layers}, or the CUDA devices. */
    @Override
    public String toString() {
      if (cuda != null) {
        return Devices.describeAll() + "; this network on " + cuda
            + " without cuDNN layer helpers (DL4J M2.1 has none): DL4J's own CUDA kernels and cuBLAS";
      }
      return String.format("%s; %shelpers on %d/%d convolution and %d/%d batch-norm layers; %d fused convolution layers",
          device(), oneDnn ? "" : "oneDNN NOT available, ", convHelpers, convLayers, bnHelpers, bnLayers, fusedLayers);
    }
  }

  public static Status status(ComputationGraph net) {
    return status(net.getLayers());
  }

  /** Of a network's {@code getLayers()}. */
  public static Status status(Layer[] layers) {
    int conv = 0;
    int convHelpers = 0;
    int bn = 0;
    int bnHelpers = 0;
    int fused = 0;
    for (Layer layer : layers) {
      if (layer instanceof FusedConvLayer) {
        fused++;
      } else if (layer instanceof ConvolutionLayer) {
        conv++;
        convHelpers += layer.getHelper() != null ? 1 : 0;
      } else if (layer instanceof BatchNormalization) {
        bn++;
        bnHelpers += layer.getHelper() != null ? 1 : 0;
      }
    }
    return new Status(Devices.cuda() ? Devices.describeCurrent() : null, BaseMKLDNNHelper.mklDnnEnabled(),
        conv, convHelpers, bn, bnHelpers, fused);
  }
}
