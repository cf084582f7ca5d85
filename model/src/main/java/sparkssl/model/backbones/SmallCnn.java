package sparkssl.model.backbones;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration.GraphBuilder;
import org.deeplearning4j.nn.conf.InputPreProcessor;
import sparkssl.model.blocks.ConvBlock;

/**
 * 3x3 convolutions ("same" padding), one per width of {@link BackboneOptions#convWidths}, the first at
 * stride 1 and every later one at stride 2 (by default three: 32, 64, 128 channels), each conv-BN-ReLU,
 * or conv(+bias)-ReLU without batch norm, each a {@link ConvBlock} of the layers {@link
 * BackboneOptions#layers} names.
 */
final class SmallCnn implements Backbone {
  static final String NAME = "small-cnn";
  /** A sixth block would leave a 28 px image's features a single pixel. */
  static final int MAX_BLOCKS = 5;

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public int minImageSize() {
    return 4;
  }

  @Override
  public String addTo(GraphBuilder g, String input, InputPreProcessor firstPreProcessor, BackboneOptions o) {
    int[] widths = o.convWidths();
    if (widths.length < 1 || widths.length > MAX_BLOCKS) {
      throw new IllegalArgumentException("the small CNN takes 1 to " + MAX_BLOCKS + " conv widths, got " + widths.length);
    }
    String x = input;
    for (int i = 0; i < widths.length; i++) {
      x = new ConvBlock(3, i == 0 ? 1 : 2, ConvBlock.SAME, widths[i], o.batchNorm(), true)
          .addTo(g, "conv" + (i + 1), o.layers(), i == 0 ? firstPreProcessor : null, x);
    }
    return x;
  }
}
