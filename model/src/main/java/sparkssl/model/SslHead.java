package sparkssl.model;

import java.util.ArrayList;
import java.util.List;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.nd4j.linalg.activations.Activation;
import sparkssl.model.layers.BatchToViews;
import sparkssl.model.layers.PredictorLayer;
import sparkssl.model.layers.PrototypeLayer;
import sparkssl.model.layers.SslLossLayer;
import sparkssl.model.method.Heads;
import sparkssl.model.method.Methods;
import sparkssl.model.method.SslMethod;
import sparkssl.model.momentum.Teacher;

/**
 * What follows the encoder's embedding, for any backbone: the method's projector, predictor or
 * prototypes, then the loss layer (whose input is {@link #lossInput}). A chain of layers, so a
 * layer list and a graph take it alike.
 */
public final class SslHead {
  private SslHead() {}

  public static List<Layer> layers(ModelOptions o) {
    SslMethod method = Methods.get(o.method);
    Heads h = o.heads();
    List<Layer> layers = new ArrayList<>();
    if (h.projectorBatchNorm()) {
      layers.add(new DenseLayer.Builder().nOut(h.projectorHidden()).activation(Activation.IDENTITY).hasBias(false).build());
      layers.add(new BatchNormalization.Builder().build());
      layers.add(new ActivationLayer(Activation.RELU));
    } else {
      layers.add(new DenseLayer.Builder().nOut(h.projectorHidden()).activation(Activation.RELU).build());
    }
    layers.add(new DenseLayer.Builder().nOut(h.projectionSize()).activation(Activation.IDENTITY).build());
    if (h.predictorHidden() > 0) {
      layers.add(new PredictorLayer(h.predictorHidden(), h.projectionSize()));
    }
    if (h.prototypes() > 0) {
      layers.add(new PrototypeLayer(h.prototypes()));
    }
    int targets = method.teacher(o.methodOptions, 1).isPresent() ? Teacher.GLOBAL_VIEWS : 0;
    layers.add(new SslLossLayer(o.method, o.methodOptions, o.numViews, h.outputSize(), h.predictorHidden() > 0, targets));
    return layers;
  }

  /** The loss layer's input preprocessor: each image's views side by side again. */
  public static BatchToViews lossInput(ModelOptions o) {
    Heads h = o.heads();
    return new BatchToViews(o.numViews, h.predictorHidden() > 0 ? 2 * h.outputSize() : h.outputSize());
  }
}
