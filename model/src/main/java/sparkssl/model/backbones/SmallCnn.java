package sparkssl.model.backbones;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration.GraphBuilder;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.InputPreProcessor;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.nd4j.linalg.activations.Activation;
import sparkssl.model.onednn.FusedConv;

/**
 * Three 3x3 convolutions with strides 1, 2, 2 ("same" padding), each conv-BN-ReLU, or conv(+bias)-ReLU
 * without batch norm: one fused oneDNN layer each where {@link BackboneOptions#fused}, else DL4J's layers.
 */
final class SmallCnn implements Backbone {
  private static final int[] STRIDES = {1, 2, 2};

  @Override
  public String name() {
    return "small-cnn";
  }

  @Override
  public int minImageSize() {
    return 4;
  }

  @Override
  public String addTo(GraphBuilder g, String input, InputPreProcessor firstPreProcessor, BackboneOptions o) {
    if (o.convWidths().length != STRIDES.length) {
      throw new IllegalArgumentException("the small CNN takes " + STRIDES.length + " conv widths, got " + o.convWidths().length);
    }
    String x = input;
    for (int i = 0; i < STRIDES.length; i++) {
      String name = "conv" + (i + 1);
      InputPreProcessor pre = i == 0 ? firstPreProcessor : null;
      if (o.fused()) {
        g.addLayer(name, new FusedConv.Builder(3).stride(STRIDES[i]).batchNorm(o.batchNorm()).nOut(o.convWidths()[i]).build(),
            pre, x);
        x = name;
        continue;
      }
      ConvolutionLayer.Builder conv = new ConvolutionLayer.Builder(3, 3).stride(STRIDES[i], STRIDES[i])
          .convolutionMode(ConvolutionMode.Same).nOut(o.convWidths()[i]);
      g.addLayer(name, o.batchNorm() ? conv.activation(Activation.IDENTITY).hasBias(false).build()
          : conv.activation(Activation.RELU).build(), pre, x);
      x = name;
      if (o.batchNorm()) {
        g.addLayer(name + "_bn", new BatchNormalization.Builder().build(), x);
        g.addLayer(name + "_relu", new ActivationLayer(Activation.RELU), name + "_bn");
        x = name + "_relu";
      }
    }
    return x;
  }
}
