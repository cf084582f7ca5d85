package sparkssl.spark.outer;

import java.io.Serializable;
import org.deeplearning4j.nn.graph.ComputationGraph;
import sparkssl.model.ParameterCount;

/** Which outer optimiser the driver runs after each averaging round, and its settings; builds it. */
public final class OuterOptions implements Serializable {
  private static final long serialVersionUID = 1L;

  public enum Kind { average, nesterov }

  public Kind kind = Kind.average;
  public double lr = 0.7;
  public double momentum = 0.9;

  /** The first thing wrong with these settings, or null. */
  public String problem() {
    if (!(lr > 0)) return "--outer-lr must be > 0, got " + lr;
    if (!(momentum >= 0 && momentum < 1)) return "--outer-momentum must be in [0, 1), got " + momentum;
    return null;
  }

  @Override
  public String toString() {
    return kind == Kind.average ? "average" : kind + " (lr " + lr + ", momentum " + momentum + ")";
  }

  /** The optimiser for {@code net}'s parameter layout. */
  public OuterOptimizer build(ComputationGraph net) {
    return switch (kind) {
      case average -> new PlainAverage();
      case nesterov -> new OuterNesterov(lr, momentum, ParameterCount.trainableMask(net));
    };
  }
}
