package sparkssl.model.blocks;

import java.util.ArrayList;
import java.util.List;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration.GraphBuilder;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.InputPreProcessor;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.nd4j.linalg.activations.Activation;
import sparkssl.model.onednn.FusedConv;

/**
 * One convolution block: a square {@code kernel} with {@code stride} and {@code padding} on every
 * side ({@link #SAME}: DL4J's Same mode), {@code nOut} channels, then batch norm and, if {@code relu},
 * ReLU; without batch norm the convolution has a bias and a ReLU or identity activation.
 *
 * <p>The block named {@code N} is the fused layer {@code N}, or the convolution {@code N}, its batch
 * norm {@code N_bn} and its ReLU {@code N_relu}: the one naming rule by which a network's blocks are
 * found again when it is converted.
 */
public record ConvBlock(int kernel, int stride, int padding, int nOut, boolean batchNorm, boolean relu) {
  /** {@code padding} for DL4J's Same mode. */
  public static final int SAME = -1;
  static final String BN = "_bn";
  static final String RELU = "_relu";

  /** A layer of a block and its vertex name. */
  record Named(String name, Layer layer) {}

  /** Adds the block named {@code name} after vertex {@code input}, its first layer taking {@code pre}; returns its last vertex. */
  public String addTo(GraphBuilder g, String name, ConvLayers kind, InputPreProcessor pre, String input) {
    String x = input;
    for (Named l : layers(name, kind)) {
      g.addLayer(l.name(), l.layer(), x.equals(input) ? pre : null, x);
      x = l.name();
    }
    return x;
  }

  /** The block's layers in order, as {@code kind} builds them. */
  List<Named> layers(String name, ConvLayers kind) {
    if (kind == ConvLayers.FUSED) {
      FusedConv.Builder b = new FusedConv.Builder(kernel).stride(stride).relu(relu).batchNorm(batchNorm).nOut(nOut);
      return List.of(new Named(name, (padding == SAME ? b.samePadding() : b.padding(padding)).build()));
    }
    ConvolutionLayer.Builder conv = new ConvolutionLayer.Builder(kernel, kernel).stride(stride, stride).nOut(nOut);
    if (padding == SAME) {
      conv.convolutionMode(ConvolutionMode.Same);
    } else {
      conv.convolutionMode(ConvolutionMode.Truncate).padding(padding, padding);
    }
    if (!batchNorm) {
      return List.of(new Named(name, conv.activation(relu ? Activation.RELU : Activation.IDENTITY).build()));
    }
    List<Named> layers = new ArrayList<>();
    layers.add(new Named(name, conv.activation(Activation.IDENTITY).hasBias(false).build()));
    layers.add(new Named(name + BN, new BatchNormalization.Builder().useLogStd(false).build()));
    if (relu) {
      layers.add(new Named(name + RELU, new ActivationLayer(Activation.RELU)));
    }
    return layers;
  }

  static ConvBlock of(FusedConv f) {
    return new ConvBlock(f.getKernel(), f.getStride(), f.isSame() ? SAME : f.getPadding(), (int) f.getNOut(), f.isBatchNorm(),
        f.isRelu());
  }
}
