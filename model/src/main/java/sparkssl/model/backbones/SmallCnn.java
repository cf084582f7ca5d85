package sparkssl.model.backbones;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration.GraphBuilder;
import org.deeplearning4j.nn.conf.InputPreProcessor;
import sparkssl.model.blocks.ConvBlock;

/**
 * Three 3x3 convolutions with strides 1, 2, 2 ("same" padding), each conv-BN-ReLU, or conv(+bias)-ReLU
 * without batch norm, each a {@link ConvBlock} of the layers {@link BackboneOptions#layers} names.
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
      x = new ConvBlock(3, STRIDES[i], ConvBlock.SAME, o.convWidths()[i], o.batchNorm(), true)
          .addTo(g, "conv" + (i + 1), o.layers(), i == 0 ? firstPreProcessor : null, x);
    }
    return x;
  }
}
