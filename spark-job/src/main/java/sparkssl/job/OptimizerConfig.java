package sparkssl.job;

import java.io.Serializable;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import picocli.CommandLine.Option;
import sparkssl.model.optim.OptimizerOptions;
import sparkssl.spark.outer.OuterOptions;

/**
 * The optimiser, learning-rate schedule and outer-optimiser options of {@code train}; they build
 * {@link OptimizerOptions} (the workers' optimiser) and {@link OuterOptions} (the driver's).
 */
public final class OptimizerConfig implements Serializable {
  private static final long serialVersionUID = 1L;
  private static final Set<String> LARS_EXCLUSIONS = Set.of("bias", "bn");

  @Option(names = "--optimizer", defaultValue = "adam",
      description = "adam, adamw (decoupled weight decay), sgd (Nesterov momentum), lars (trust ratio over Nesterov momentum SGD) (default: ${DEFAULT-VALUE}).")
  public OptimizerOptions.Kind kind;

  @Option(names = "--learning-rate", defaultValue = "1e-3",
      description = "Peak learning rate for one worker's --batch-size; --lr-scaling scales it with the workers (default: ${DEFAULT-VALUE}).")
  public double learningRate;

  @Option(names = "--lr-scaling", defaultValue = "sqrt",
      description = "How the learning rate grows with the global batch of W workers: none, sqrt (x sqrt(W)) or linear (x W) "
          + "(default: ${DEFAULT-VALUE}).")
  public LrScaling lrScaling;

  @Option(names = "--outer-optimizer", defaultValue = "average",
      description = "What the driver makes of each round's average: average (take it), or nesterov (step along the "
          + "averaged change with Nesterov momentum, as SlowMo and DiLoCo do) (default: ${DEFAULT-VALUE}).")
  public OuterOptions.Kind outerKind;

  @Option(names = "--outer-lr", defaultValue = "0.7", description = "nesterov: outer learning rate (default: ${DEFAULT-VALUE}).")
  public double outerLr;

  @Option(names = "--outer-momentum", defaultValue = "0.9",
      description = "nesterov: outer momentum, in [0, 1) (default: ${DEFAULT-VALUE}).")
  public double outerMomentum;

  /** How the learning rate scales with the number of workers (Goyal et al. 2017: linear; small batches: sqrt). */
  public enum LrScaling {
    none, sqrt, linear;

    double factor(int workers) {
      return switch (this) {
        case none -> 1;
        case sqrt -> Math.sqrt(workers);
        case linear -> workers;
      };
    }
  }

  @Option(names = "--weight-decay", defaultValue = "0",
      description = "Weight decay of the weights (never of biases or batch-norm parameters): L2 for adam and sgd, decoupled for adamw, inside the trust ratio for lars (default: ${DEFAULT-VALUE}).")
  public double weightDecay;

  @Option(names = "--momentum", defaultValue = "0.9", description = "Momentum of sgd and lars (default: ${DEFAULT-VALUE}).")
  public double momentum;

  @Option(names = "--lr-schedule", defaultValue = "constant",
      description = "constant, or cosine: linear warmup over --warmup-epochs, then cosine to zero at the last step; runs on the global step (default: ${DEFAULT-VALUE}).")
  public OptimizerOptions.Schedule schedule;

  @Option(names = "--warmup-epochs", defaultValue = "0",
      description = "Epochs of linear warmup before the cosine decay (fractions allowed; must be below --epochs) (default: ${DEFAULT-VALUE}).")
  public double warmupEpochs;

  @Option(names = "--lars-eta", defaultValue = "0.02", description = "LARS trust coefficient (default: ${DEFAULT-VALUE}).")
  public double larsEta;

  @Option(names = "--lars-exclude", defaultValue = "bias,bn", split = ",",
      description = "Parameters LARS leaves alone (no trust ratio, no weight decay): bias, bn; both are required (default: ${DEFAULT-VALUE}).")
  public List<String> larsExclude;

  /** The first thing wrong with these options, or null. */
  String problem(int epochs) {
    if (!(learningRate > 0)) return "--learning-rate must be > 0, got " + learningRate;
    if (!(weightDecay >= 0)) return "--weight-decay must be >= 0, got " + weightDecay;
    if (!(momentum >= 0 && momentum < 1)) return "--momentum must be in [0, 1), got " + momentum;
    if (!(warmupEpochs >= 0)) return "--warmup-epochs must be >= 0, got " + warmupEpochs;
    if (warmupEpochs > 0 && schedule != OptimizerOptions.Schedule.cosine) {
      return "--warmup-epochs needs --lr-schedule cosine";
    }
    if (warmupEpochs >= epochs) return "--warmup-epochs (" + warmupEpochs + ") must be below --epochs (" + epochs + ")";
    if (!(larsEta > 0)) return "--lars-eta must be > 0, got " + larsEta;
    String outerProblem = outerOptions().problem();
    if (outerProblem != null) return outerProblem;
    Set<String> excluded = new LinkedHashSet<>(larsExclude);
    for (String e : excluded) {
      if (!LARS_EXCLUSIONS.contains(e)) return "--lars-exclude: unknown parameter group '" + e + "' (known: bias, bn)";
    }
    if (!excluded.containsAll(LARS_EXCLUSIONS)) {
      return "--lars-exclude must name both bias and bn: DL4J's batch-norm layer takes no per-parameter adaptation, "
          + "and LARS on biases is what the papers avoid";
    }
    return null;
  }

  /** The optimiser of a run of {@code workers} workers, its learning rate scaled by {@link #lrScaling}. */
  OptimizerOptions options(int epochs, long stepsPerEpoch, int workers) {
    OptimizerOptions o = new OptimizerOptions();
    o.kind = kind;
    o.learningRate = learningRate * lrScaling.factor(workers);
    o.weightDecay = weightDecay;
    o.momentum = momentum;
    o.larsEta = larsEta;
    o.schedule = schedule;
    o.totalSteps = Math.max(1, epochs * stepsPerEpoch);
    o.warmupSteps = Math.min(o.totalSteps - 1, Math.round(warmupEpochs * stepsPerEpoch));
    return o;
  }

  OuterOptions outerOptions() {
    OuterOptions o = new OuterOptions();
    o.kind = outerKind;
    o.lr = outerLr;
    o.momentum = outerMomentum;
    return o;
  }
}
