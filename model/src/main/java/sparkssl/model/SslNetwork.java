package sparkssl.model;

import java.util.List;
import org.deeplearning4j.nn.conf.CacheMode;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration.GraphBuilder;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import sparkssl.model.backbones.BackboneOptions;
import sparkssl.model.backbones.Backbones;
import sparkssl.model.blocks.ConvLayers;
import sparkssl.model.layers.ViewsToBatch;

/**
 * Builds the SSL network as a graph: the views input ({@value #INPUT}), the chosen backbone (whose
 * first layer turns views stacked on channels into a batch of views), global average pooling to the
 * embedding (vertex {@value #EMBEDDING}), then the method's heads and loss ({@link SslHead}).
 *
 * <p>Everything up to the embedding is the encoder that is kept; the views-to-batch preprocessor lets
 * the same network embed plain single-view images.
 */
public final class SslNetwork {
  private SslNetwork() {}

  /** Name of the vertex whose output is the embedding. */
  public static final String EMBEDDING = "embedding";
  /** Name of the network's input: an image's views stacked on the channel axis. */
  public static final String INPUT = "views";

  public static ComputationGraph create(ModelOptions o) {
    return create(o, DataType.FLOAT);
  }

  public static ComputationGraph create(ModelOptions o, DataType dataType) {
    return create(o, dataType, ConvLayers.forThisJvm(dataType));
  }

  /** A float32 network whose convolution blocks are {@code layers}, e.g. plain ones for GPU executors of a CPU driver. */
  public static ComputationGraph create(ModelOptions o, ConvLayers layers) {
    return create(o, DataType.FLOAT, layers);
  }

  private static ComputationGraph create(ModelOptions o, DataType dataType, ConvLayers layers) {
    FastPath.enable();
    GraphBuilder g = o.optimizer.applyTo(new NeuralNetConfiguration.Builder())
        .seed(o.seed)
        .dataType(dataType)
        .weightInit(WeightInit.RELU)
        .convolutionMode(ConvolutionMode.Truncate)
        .cacheMode(CacheMode.DEVICE)
        .graphBuilder()
        .addInputs(INPUT)
        .setInputTypes(InputType.convolutional(o.imageSize, o.imageSize, (long) o.numViews * o.channels));
    String features = Backbones.get(o.backbone).addTo(g, INPUT,
        new ViewsToBatch(o.numViews, o.channels, o.imageSize, o.imageSize), new BackboneOptions(o.convWidths, o.batchNorm, layers));
    g.addLayer(EMBEDDING, new GlobalPoolingLayer.Builder(PoolingType.AVG).build(), features);
    SslHead.addTo(g, EMBEDDING, o);
    ComputationGraphConfiguration conf = g.build();
    o.optimizer.regularize(conf);
    ComputationGraph net = new ComputationGraph(conf);
    net.init();
    return net;
  }

  /** Encoder output for single images {@code [N, C, H, W]} (no views), inference mode: {@code [N, D]}. */
  public static INDArray embed(ComputationGraph net, INDArray images) {
    return activation(net, EMBEDDING, images, false);
  }

  /**
   * What a view's projection is as a teacher passes it on, for single images {@code [N, C, H, W]}:
   * {@code [N, D]} (the prototype scores where the method has prototypes). In training mode batch norm
   * uses the batch's statistics, as the loss saw the projections (no state changes: DL4J moves the
   * running statistics in the update, not the forward pass).
   */
  public static INDArray project(ComputationGraph net, INDArray images, boolean training) {
    return activation(net, projectionVertex(net), images, training);
  }

  /** The vertex feeding the loss, or the predictor's input. */
  public static String projectionVertex(ComputationGraph net) {
    if (net.getVertex(EMBEDDING) == null) {
      throw new IllegalArgumentException("not an SSL network of this project: no vertex named '" + EMBEDDING + "'");
    }
    return net.getVertex(SslHead.PROTOTYPES) != null ? SslHead.PROTOTYPES : SslHead.PROJECTION;
  }

  /** The output of one named vertex for a batch of input. */
  public static INDArray activation(ComputationGraph net, String vertex, INDArray input, boolean training) {
    if (net.getVertex(vertex) == null) {
      throw new IllegalArgumentException("not an SSL network of this project: no vertex named '" + vertex + "'");
    }
    return net.output(List.of(vertex), training, new INDArray[] {input}, null)[0];
  }
}
