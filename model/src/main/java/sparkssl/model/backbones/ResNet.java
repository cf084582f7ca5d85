package sparkssl.model.backbones;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration.GraphBuilder;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.InputPreProcessor;
import org.deeplearning4j.nn.conf.graph.ElementWiseVertex;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.nd4j.linalg.activations.Activation;
import sparkssl.model.blocks.ConvBlock;
import sparkssl.model.blocks.ConvLayers;

/**
 * ResNet (He et al. 2016) as torchvision builds it: stages of widths 64/128/256/512, the first block of
 * stages 2-4 downsampling by 2 (on its 3x3 convolution, "v1.5"), a 1x1 strided conv + BN shortcut
 * where the shape changes. Basic blocks (3x3, 3x3) for ResNet-18, bottlenecks (1x1, 3x3, 1x1 to 4x the
 * width) for ResNet-50. Stem: the ImageNet one (7x7 stride-2 conv, 3x3 stride-2 max-pool) or the
 * CIFAR one (one 3x3 stride-1 conv, no pooling) for 28-64 px images.
 *
 * <p>Padding is explicit (truncate mode) rather than DL4J's "same", which pads stride-2 layers
 * bottom/right only: this way every layer samples exactly the pixels torchvision's samples.
 */
final class ResNet implements Backbone {
  private static final int[] WIDTHS = {64, 128, 256, 512};
  private static final int BOTTLENECK_EXPANSION = 4;

  private final String name;
  private final boolean cifarStem;
  private final boolean bottleneck;
  private final int[] blocksPerStage;

  private ResNet(String name, boolean cifarStem, boolean bottleneck, int... blocksPerStage) {
    this.name = name;
    this.cifarStem = cifarStem;
    this.bottleneck = bottleneck;
    this.blocksPerStage = blocksPerStage;
  }

  static ResNet cifar18() {
    return new ResNet("resnet18-cifar", true, false, 2, 2, 2, 2);
  }

  static ResNet imagenet18() {
    return new ResNet("resnet18", false, false, 2, 2, 2, 2);
  }

  static ResNet imagenet50() {
    return new ResNet("resnet50", false, true, 3, 4, 6, 3);
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public int minImageSize() {
    // three stride-2 stages, and the ImageNet stem's two more
    return cifarStem ? 8 : 32;
  }

  @Override
  public String addTo(GraphBuilder g, String input, InputPreProcessor firstPreProcessor, BackboneOptions o) {
    Builder b = new Builder(g, o.layers());
    String x;
    if (cifarStem) {
      x = b.convBn("stem_conv", 3, 1, WIDTHS[0], true, firstPreProcessor, input);
    } else {
      x = b.convBn("stem_conv", 7, 2, WIDTHS[0], true, firstPreProcessor, input);
      g.addLayer("stem_pool", new SubsamplingLayer.Builder(SubsamplingLayer.PoolingType.MAX).kernelSize(3, 3)
          .stride(2, 2).padding(1, 1).convolutionMode(ConvolutionMode.Truncate).build(), x);
      x = "stem_pool";
    }
    int in = WIDTHS[0];
    for (int stage = 0; stage < WIDTHS.length; stage++) {
      for (int block = 0; block < blocksPerStage[stage]; block++) {
        int stride = stage > 0 && block == 0 ? 2 : 1;
        String blockName = "s" + (stage + 1) + "b" + (block + 1);
        x = bottleneck ? b.bottleneck(blockName, x, in, WIDTHS[stage], stride) : b.basic(blockName, x, in, WIDTHS[stage], stride);
        in = bottleneck ? WIDTHS[stage] * BOTTLENECK_EXPANSION : WIDTHS[stage];
      }
    }
    return x;
  }

  /** Adds the blocks' vertices to one graph, each conv-BN(-ReLU) a {@link ConvBlock} of the given layers. */
  private record Builder(GraphBuilder g, ConvLayers layers) {
    /** conv-BN-ReLU-conv-BN, plus the shortcut, then ReLU. */
    String basic(String name, String input, int in, int out, int stride) {
      String y = convBn(name + "_conv1", 3, stride, out, true, null, input);
      y = convBn(name + "_conv2", 3, 1, out, false, null, y);
      return join(name, y, input, in, out, stride);
    }

    /** 1x1 conv-BN-ReLU, 3x3 (strided) conv-BN-ReLU, 1x1 conv-BN to 4x the width, plus the shortcut, then ReLU. */
    String bottleneck(String name, String input, int in, int width, int stride) {
      String y = convBn(name + "_conv1", 1, 1, width, true, null, input);
      y = convBn(name + "_conv2", 3, stride, width, true, null, y);
      y = convBn(name + "_conv3", 1, 1, width * BOTTLENECK_EXPANSION, false, null, y);
      return join(name, y, input, in, width * BOTTLENECK_EXPANSION, stride);
    }

    /** {@code relu(y + shortcut)}, the shortcut a 1x1 conv-BN where the shape changes. */
    private String join(String name, String y, String input, int in, int out, int stride) {
      String shortcut = input;
      if (stride != 1 || in != out) {
        shortcut = convBn(name + "_down", 1, stride, out, false, null, input);
      }
      g.addVertex(name + "_add", new ElementWiseVertex(ElementWiseVertex.Op.Add), y, shortcut);
      return relu(name + "_out", name + "_add");
    }

    /** The block {@code conv}: convolution (padding k/2), batch norm and, if asked, ReLU. Returns its last vertex. */
    String convBn(String conv, int kernel, int stride, int out, boolean relu, InputPreProcessor pre, String input) {
      return new ConvBlock(kernel, stride, kernel / 2, out, true, relu).addTo(g, conv, layers, pre, input);
    }

    String relu(String name, String input) {
      g.addLayer(name + "_relu", new ActivationLayer(Activation.RELU), input);
      return name + "_relu";
    }
  }
}
