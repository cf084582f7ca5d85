package sparkssl.model;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration.GraphBuilder;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.nd4j.linalg.activations.Activation;
import sparkssl.model.layers.BatchToViews;
import sparkssl.model.layers.PredictorLayer;
import sparkssl.model.layers.PrototypeLayer;
import sparkssl.model.layers.SslLossLayer;
import sparkssl.model.method.Heads;
import sparkssl.model.method.Methods;
import sparkssl.model.momentum.Teacher;

/**
 * What follows the encoder's embedding, for any backbone: the method's projector ({@value #PROJECTION}
 * is its output), predictor ({@value #PREDICTOR}) or prototypes ({@value #PROTOTYPES}), then the loss
 * layer ({@value #LOSS}), whose input preprocessor puts each image's views side by side again.
 */
public final class SslHead {
  public static final String PROJECTION = "projection";
  public static final String PREDICTOR = "predictor";
  public static final String PROTOTYPES = "prototypes";
  public static final String LOSS = "loss";

  private SslHead() {}

  /** Adds the heads and the loss after vertex {@code embedding}; the loss is the graph's output. */
  public static void addTo(GraphBuilder g, String embedding, ModelOptions o) {
    Heads h = o.heads();
    if (h.projectorBatchNorm()) {
      g.addLayer("projector_hidden", new DenseLayer.Builder().nOut(h.projectorHidden()).activation(Activation.IDENTITY)
          .hasBias(false).build(), embedding);
      g.addLayer("projector_bn", new BatchNormalization.Builder().build(), "projector_hidden");
      g.addLayer("projector_relu", new ActivationLayer(Activation.RELU), "projector_bn");
    } else {
      g.addLayer("projector_relu", new DenseLayer.Builder().nOut(h.projectorHidden()).activation(Activation.RELU).build(),
          embedding);
    }
    g.addLayer(PROJECTION, new DenseLayer.Builder().nOut(h.projectionSize()).activation(Activation.IDENTITY).build(),
        "projector_relu");
    String last = PROJECTION;
    if (h.predictorHidden() > 0) {
      g.addLayer(PREDICTOR, new PredictorLayer(h.predictorHidden(), h.projectionSize()), last);
      last = PREDICTOR;
    }
    if (h.prototypes() > 0) {
      g.addLayer(PROTOTYPES, new PrototypeLayer(h.prototypes()), last);
      last = PROTOTYPES;
    }
    int targets = Methods.get(o.method).teacher(o.methodOptions, 1).isPresent() ? Teacher.GLOBAL_VIEWS : 0;
    g.addLayer(LOSS, new SslLossLayer(o.method, o.methodOptions, o.numViews, h.outputSize(), h.predictorHidden() > 0, targets),
        new BatchToViews(o.numViews, h.predictorHidden() > 0 ? 2 * h.outputSize() : h.outputSize()), last)
        .setOutputs(LOSS);
  }
}
