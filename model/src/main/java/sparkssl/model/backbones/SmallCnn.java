package sparkssl.model.backbones;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration.GraphBuilder;
import org.deeplearning4j.nn.conf.InputPreProcessor;
import sparkssl.model.blocks.ConvBlock;

/**
 * 3x3 convolutions ("same" padding), one per width of {@link BackboneOptions#convWidths}, the first at
 * stride 1 and every later one at stride 2, each conv-BN-ReLU, or conv(+bias)-ReLU without batch norm,
 * each a {@link ConvBlock} of the layers {@link BackboneOptions#layers} names. Two are registered, which
 * differ only in the widths they take unless told otherwise.
 */
final class SmallCnn implements Backbone {
  /** A sixth block would leave a 28 px image's features a single pixel. */
  static final int MAX_BLOCKS = 5;

  private final String name;
  private final int[] defaultWidths;

  private SmallCnn(String name, int... defaultWidths) {
    this.name = name;
    this.defaultWidths = defaultWidths;
  }

  /** Three blocks, 32, 64, 128: the last one's features see 9 x 9 pixels of the input. */
  static SmallCnn standard() {
    return new SmallCnn("small-cnn", 32, 64, 128);
  }

  /**
   * Five blocks, 32, 64, 128, 256, 256: every feature of the last one (2 x 2 on 28 px) sees 33 x 33
   * pixels, the whole of a 28 px image, where the three-block CNN averages 9 x 9 patches.
   */
  static SmallCnn deep() {
    return new SmallCnn("small-cnn-deep", 32, 64, 128, 256, 256);
  }

  @Override
  public String name() {
    return name;
  }

  /** The widths a run builds unless {@code --conv-widths} says otherwise. */
  int[] defaultWidths() {
    return defaultWidths.clone();
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
