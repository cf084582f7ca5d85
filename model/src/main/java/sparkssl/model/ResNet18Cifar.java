package sparkssl.model;

import java.util.List;
import org.deeplearning4j.nn.conf.CacheMode;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration.GraphBuilder;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.graph.ElementWiseVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import sparkssl.model.layers.ViewsToBatch;

/**
 * The SSL network with a ResNet-18 encoder in its CIFAR form (3x3 stride-1 stem, no max-pool;
 * BasicBlocks [2, 2, 2, 2] of widths 64/128/256/512; 1x1 strided conv + BN shortcut where the
 * shape changes), global average pooling to the 512-d embedding, then the same projector,
 * batch-to-views and loss layer as {@link SslNetwork} ({@link SslHead}). A graph because of the residual additions.
 *
 * <p>Padding is explicit (truncate mode, pad 1 on 3x3, none on 1x1) rather than DL4J's "same",
 * which pads stride-2 layers bottom/right only: this way every layer samples exactly the pixels
 * torchvision's resnet18 samples. Uses {@link ModelOptions}' input, projector, loss and optimiser
 * settings; its conv widths and batch-norm switch describe the small encoder and are ignored.
 */
public final class ResNet18Cifar {
  /** Vertex whose output is the embedding. */
  public static final String EMBEDDING = SslNetwork.EMBEDDING;
  private static final String INPUT = "views";
  private static final int[] WIDTHS = {64, 128, 256, 512};
  private static final int BLOCKS_PER_STAGE = 2;

  private final GraphBuilder g;

  private ResNet18Cifar(GraphBuilder g) {
    this.g = g;
  }

  public static ComputationGraph create(ModelOptions o) {
    FastPath.enable();
    GraphBuilder g = o.optimizer.applyTo(new NeuralNetConfiguration.Builder())
        .seed(o.seed)
        .dataType(DataType.FLOAT)
        .weightInit(WeightInit.RELU)
        .convolutionMode(ConvolutionMode.Truncate)
        .cacheMode(CacheMode.DEVICE)
        .graphBuilder()
        .addInputs(INPUT)
        .setInputTypes(InputType.convolutional(o.imageSize, o.imageSize, (long) o.numViews * o.channels));
    g.addLayer("stem_conv", conv(3, 1, WIDTHS[0]), new ViewsToBatch(o.numViews, o.channels, o.imageSize, o.imageSize), INPUT);
    ResNet18Cifar r = new ResNet18Cifar(g);
    String x = r.relu("stem", r.bn("stem", "stem_conv"));
    int in = WIDTHS[0];
    for (int stage = 0; stage < WIDTHS.length; stage++) {
      for (int block = 0; block < BLOCKS_PER_STAGE; block++) {
        int stride = stage > 0 && block == 0 ? 2 : 1;
        x = r.basicBlock("s" + (stage + 1) + "b" + (block + 1), x, in, WIDTHS[stage], stride);
        in = WIDTHS[stage];
      }
    }
    g.addLayer(EMBEDDING, new GlobalPoolingLayer.Builder(PoolingType.AVG).build(), x);
    String previous = EMBEDDING;
    List<Layer> head = SslHead.layers(o);
    for (int i = 0; i < head.size() - 1; i++) {
      g.addLayer("head" + i, head.get(i), previous);
      previous = "head" + i;
    }
    g.addLayer("loss", head.get(head.size() - 1), SslHead.lossInput(o), previous).setOutputs("loss");
    ComputationGraphConfiguration conf = g.build();
    o.optimizer.regularize(conf);
    ComputationGraph net = new ComputationGraph(conf);
    net.init();
    return net;
  }

  /** conv-BN-ReLU-conv-BN, plus the input (through a 1x1 conv-BN where the shape changes), then ReLU. */
  private String basicBlock(String name, String input, int in, int out, int stride) {
    g.addLayer(name + "_conv1", conv(3, stride, out), input);
    String y = relu(name + "_1", bn(name + "_1", name + "_conv1"));
    g.addLayer(name + "_conv2", conv(3, 1, out), y);
    y = bn(name + "_2", name + "_conv2");
    String shortcut = input;
    if (stride != 1 || in != out) {
      g.addLayer(name + "_down", conv(1, stride, out), input);
      shortcut = bn(name + "_down", name + "_down");
    }
    g.addVertex(name + "_add", new ElementWiseVertex(ElementWiseVertex.Op.Add), y, shortcut);
    return relu(name + "_out", name + "_add");
  }

  private static ConvolutionLayer conv(int kernel, int stride, int out) {
    return new ConvolutionLayer.Builder(kernel, kernel).stride(stride, stride).padding(kernel / 2, kernel / 2)
        .nOut(out).activation(Activation.IDENTITY).hasBias(false).build();
  }

  private String bn(String name, String input) {
    g.addLayer(name + "_bn", new BatchNormalization.Builder().build(), input);
    return name + "_bn";
  }

  private String relu(String name, String input) {
    g.addLayer(name + "_relu", new ActivationLayer(Activation.RELU), input);
    return name + "_relu";
  }
}
