package sparkssl.model.momentum;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.ops.transforms.Transforms;
import sparkssl.model.SslHead;
import sparkssl.model.SslNetwork;
import sparkssl.model.blocks.ConvLayerConversion;
import sparkssl.model.blocks.ConvLayers;
import sparkssl.model.layers.SslLossLayer;
import sparkssl.model.onednn.FusedConvLayer;

/**
 * The EMA teacher of a student network: the same network, whose parameters follow the student's,
 * {@code teacher = tau * teacher + (1 - tau) * student} after every student step. Its output for the
 * two global views (before any predictor) becomes the student's loss targets; it never gets gradients.
 *
 * <p>Its state ({@link #state()}: parameters, then the DINO center if any) is one flat vector, so
 * parameter averaging treats it like the student's parameters.
 */
public final class Teacher {
  /** Global views: the teacher sees only these (DINO's local crops go to the student alone). */
  public static final int GLOBAL_VIEWS = 2;

  private final TeacherSettings settings;
  private final ComputationGraph net;
  private final String targetVertex;
  private INDArray center;

  private Teacher(TeacherSettings settings, ComputationGraph net) {
    this.settings = settings;
    this.net = net;
    // its training-mode passes (batch statistics, as the student's) are never followed by a backward pass
    for (Layer layer : net.getLayers()) {
      if (layer instanceof FusedConvLayer fused) {
        fused.forwardOnly();
      }
    }
    this.targetVertex = SslNetwork.projectionVertex(net);
    this.center = settings.centred() ? Nd4j.zeros(net.params().dataType(), 1, outputSize(net)) : null;
  }

  /** A teacher starting as a copy of the student. */
  public static Teacher of(ComputationGraph student, TeacherSettings settings) {
    return new Teacher(settings, student.clone());
  }

  /** The same teacher, its network's convolution blocks built from {@code layers} (see {@link ConvLayerConversion}). */
  public Teacher with(ConvLayers layers) {
    Teacher t = new Teacher(settings, ConvLayerConversion.to(net, layers));
    if (center != null) {
      t.center.assign(center);
    }
    return t;
  }

  public TeacherSettings settings() {
    return settings;
  }

  /** Parameters, then the center: what the driver averages and checkpoints. */
  public INDArray state() {
    INDArray params = net.params().reshape(1, net.params().length());
    return center == null ? params.dup() : Nd4j.hstack(params, center);
  }

  public void load(INDArray state) {
    long n = net.params().length();
    INDArray flat = state.reshape(1, state.length());
    net.params().assign(flat.get(NDArrayIndex.point(0),
        NDArrayIndex.interval(0, n)).reshape(net.params().shape()));
    if (center != null) {
      center.assign(flat.get(NDArrayIndex.point(0),
          NDArrayIndex.interval(n, n + center.length())).reshape(center.shape()));
    }
  }

  /**
   * The loss's targets for a batch of views {@code [N, V*C, H, W]}: {@code [N, 2*D]}, each image's two
   * global-view targets side by side. A centred teacher then moves its center towards this batch's mean output.
   */
  public INDArray targets(INDArray views) {
    INDArray out = SslNetwork.activation(net, targetVertex, views, true);
    long n = views.size(0);
    INDArray global = out.get(NDArrayIndex.interval(0, GLOBAL_VIEWS * n),
        NDArrayIndex.all()).dup();
    INDArray targets = global;
    if (center != null) {
      targets = centredSoftmax(global, center, settings.temperature());
      moveCenter(center, global, settings.centerMomentum());
    }
    // view-major [2N, D] -> image-major [N, 2D]
    long d = targets.size(1);
    return targets.reshape('c', GLOBAL_VIEWS, n, d).permute(1, 0, 2).dup('c').reshape('c', n, GLOBAL_VIEWS * d);
  }

  /** DINO's teacher distribution, {@code softmax((t - c) / temperature)} row by row. */
  static INDArray centredSoftmax(INDArray t, INDArray center, double temperature) {
    return Transforms.softmax(t.subRowVector(center).divi(temperature), false);
  }

  /** DINO's center update, {@code c = m c + (1 - m) mean(t)} over the batch's rows, in place. */
  static void moveCenter(INDArray center, INDArray t, double momentum) {
    center.muli(momentum).addi(t.mean(true, 0).muli(1 - momentum));
  }

  /** One EMA step after the student's global step {@code step}; returns the momentum used. */
  public double follow(ComputationGraph student, long step) {
    double tau = settings.momentumAt(step);
    net.params().muli(tau).addi(student.params().mul(1 - tau));
    return tau;
  }

  private static long outputSize(ComputationGraph net) {
    return ((SslLossLayer) net.getLayer(SslHead.LOSS).conf().getLayer()).getOutputSize();
  }
}
