package sparkssl.model.optim;

import java.io.Serializable;
import java.util.List;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.learning.config.Nesterovs;
import org.nd4j.linalg.learning.regularization.L2Regularization;
import org.nd4j.linalg.learning.regularization.Regularization;
import org.nd4j.linalg.learning.regularization.WeightDecay;
import org.nd4j.linalg.schedule.ISchedule;
import org.nd4j.linalg.schedule.FixedSchedule;

/**
 * Which optimiser and learning-rate schedule train the network, and the DL4J updater and
 * regularizations they become. The learning rate is applied as given to each worker's batch; it is
 * not rescaled by the number of workers.
 *
 * <ul>
 *   <li>{@code adam}: Adam; weight decay is an L2 term added to the gradient (PyTorch's {@code Adam(weight_decay)}).</li>
 *   <li>{@code adamw}: Adam with decoupled weight decay {@code w -= lr * wd * w} (PyTorch's {@code AdamW}).</li>
 *   <li>{@code sgd}: Nesterov momentum SGD with L2 weight decay (PyTorch's {@code SGD(nesterov=True)};
 *       DL4J's formulation is the same as PyTorch's at a constant learning rate).</li>
 *   <li>{@code lars}: {@link LarsRegularization} in front of Nesterov momentum SGD.</li>
 * </ul>
 * Biases and batch-norm parameters never get weight decay or LARS adaptation (DL4J's batch-norm
 * layer takes no regularization at all).
 */
public final class OptimizerOptions implements Serializable {
  private static final long serialVersionUID = 1L;

  public enum Kind { adam, adamw, sgd, lars }

  public enum Schedule { constant, cosine }

  public Kind kind = Kind.adam;
  public double learningRate = 1e-3;
  public double weightDecay = 0;
  /** Momentum of sgd and lars; Adam's betas stay at 0.9 / 0.999. */
  public double momentum = 0.9;
  /** LARS trust coefficient (solo-learn's default). */
  public double larsEta = 0.02;
  public Schedule schedule = Schedule.constant;
  /** Linear warmup steps, then cosine to zero at {@link #totalSteps} (cosine only). */
  public long warmupSteps;
  public long totalSteps = 1;

  /** The learning rate of global step {@code step}, as the network applies it. */
  public double learningRateAt(long step) {
    return schedule == Schedule.cosine
        ? WarmupCosineSchedule.at(learningRate, warmupSteps, totalSteps, step)
        : learningRate;
  }

  /** Sets the updater on a network builder; {@link #regularize} then sets weight decay or LARS per layer. */
  public NeuralNetConfiguration.Builder applyTo(NeuralNetConfiguration.Builder b) {
    return b.updater(updater());
  }

  /**
   * Gives every layer's weights exactly this optimiser's regularization and its biases none. Set on the
   * builder instead, DL4J M2.1 appends any regularization other than L1/L2 to each layer twice (its
   * layer validation runs twice and merges the global list into the layer's), doubling weight decay.
   */
  public void regularize(MultiLayerConfiguration conf) {
    conf.getConfs().forEach(c -> regularize(c.getLayer()));
  }

  public void regularize(ComputationGraphConfiguration conf) {
    conf.getVertices().values().stream()
        .filter(v -> v instanceof LayerVertex)
        .forEach(v -> regularize(((LayerVertex) v).getLayerConf().getLayer()));
  }

  private void regularize(Layer layer) {
    if (layer instanceof BaseLayer b) {
      b.setRegularization(weightRegularization());
      b.setRegularizationBias(List.of());
    }
  }

  IUpdater updater() {
    ISchedule lr = schedule == Schedule.cosine
        ? new WarmupCosineSchedule(learningRate, warmupSteps, totalSteps)
        : new FixedSchedule(learningRate);
    return switch (kind) {
      case adam, adamw -> new Adam(lr);
      case sgd, lars -> new Nesterovs(lr, momentum);
    };
  }

  List<Regularization> weightRegularization() {
    if (kind == Kind.lars) {
      return List.of(new LarsRegularization(larsEta, weightDecay));
    }
    if (weightDecay == 0) {
      return List.of();
    }
    return kind == Kind.adamw ? List.of(new WeightDecay(weightDecay, true)) : List.of(new L2Regularization(weightDecay));
  }
}
