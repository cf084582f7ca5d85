package sparkssl.model;

import java.util.List;
import org.deeplearning4j.nn.conf.CacheMode;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import sparkssl.model.layers.PredictorLayer;
import sparkssl.model.layers.ViewsToBatch;

/**
 * Builds the SSL network: views-to-batch, a small conv-BN-ReLU encoder ending in global average
 * pooling (the embedding, layer {@value #EMBEDDING}), then the method's head and loss ({@link SslHead}).
 *
 * <p>Layers up to the global pooling are the encoder that is kept; the views-to-batch
 * preprocessor in front of layer 0 lets the same network embed plain single-view images.
 */
public final class SslNetwork {
  private SslNetwork() {}

  /** Name of the layer whose output is the embedding. */
  public static final String EMBEDDING = "embedding";

  public static MultiLayerNetwork create(ModelOptions o) {
    return create(o, DataType.FLOAT);
  }

  public static MultiLayerNetwork create(ModelOptions o, DataType dataType) {
    FastPath.enable();
    if (o.convWidths.length != 3) {
      throw new IllegalArgumentException("convWidths must have 3 entries");
    }
    NeuralNetConfiguration.ListBuilder b = o.optimizer.applyTo(new NeuralNetConfiguration.Builder())
        .seed(o.seed)
        .dataType(dataType)
        .weightInit(WeightInit.RELU)
        .convolutionMode(ConvolutionMode.Same)
        .cacheMode(CacheMode.DEVICE)
        .list()
        .inputPreProcessor(0, new ViewsToBatch(o.numViews, o.channels, o.imageSize, o.imageSize));
    int[] strides = {1, 2, 2};
    for (int i = 0; i < 3; i++) {
      ConvolutionLayer.Builder conv = new ConvolutionLayer.Builder(3, 3).stride(strides[i], strides[i]).nOut(o.convWidths[i]);
      if (o.batchNorm) {
        b.layer(conv.activation(Activation.IDENTITY).hasBias(false).build())
            .layer(new BatchNormalization.Builder().build())
            .layer(new ActivationLayer(Activation.RELU));
      } else {
        b.layer(conv.activation(Activation.RELU).build());
      }
    }
    b.layer(new GlobalPoolingLayer.Builder(PoolingType.AVG).name(EMBEDDING).build());
    List<Layer> head = SslHead.layers(o);
    head.forEach(b::layer);
    b.inputPreProcessor(embeddingLayer(o) + head.size(), SslHead.lossInput(o))
        .setInputType(InputType.convolutional(o.imageSize, o.imageSize, (long) o.numViews * o.channels));
    MultiLayerConfiguration conf = b.build();
    o.optimizer.regularize(conf);
    MultiLayerNetwork net = new MultiLayerNetwork(conf);
    net.init();
    return net;
  }

  /** Index of the global-pooling layer: three layers per conv block with batch norm, one without. */
  private static int embeddingLayer(ModelOptions o) {
    return o.batchNorm ? 9 : 3;
  }

  /**
   * Encoder output for single images {@code [N, C, H, W]} (no views), inference mode: {@code [N, D]}.
   */
  public static INDArray embed(MultiLayerNetwork net, INDArray images) {
    int pool = globalPoolingIndex(net);
    return net.feedForwardToLayer(pool, images, false).get(pool + 1);
  }

  /**
   * Projector output for single images {@code [N, C, H, W]}: {@code [N, D]}. In training mode batch
   * norm uses the batch's statistics, as the loss saw the projections (no state changes: DL4J moves
   * the running statistics in the update, not the forward pass).
   */
  public static INDArray project(MultiLayerNetwork net, INDArray images, boolean training) {
    int layer = projectionLayer(net);
    return net.feedForwardToLayer(layer, images, training).get(layer + 1);
  }

  /**
   * The layer whose output is a view's projection as a teacher passes it on: the one feeding the loss,
   * or the predictor's input.
   */
  public static int projectionLayer(MultiLayerNetwork net) {
    int beforeLoss = net.getnLayers() - 2;
    return net.getLayer(beforeLoss).conf().getLayer() instanceof PredictorLayer ? beforeLoss - 1 : beforeLoss;
  }

  private static int globalPoolingIndex(MultiLayerNetwork net) {
    for (int i = 0; i < net.getnLayers(); i++) {
      if (EMBEDDING.equals(net.getLayer(i).conf().getLayer().getLayerName())) {
        return i;
      }
    }
    throw new IllegalArgumentException("not an SSL network of this project: no layer named '" + EMBEDDING + "'");
  }
}
