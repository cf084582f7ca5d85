package sparkssl.model.optim;

import org.nd4j.linalg.schedule.ISchedule;
import org.nd4j.shade.jackson.annotation.JsonProperty;

/**
 * Learning rate at global step {@code t} of {@code total}: {@code base * (t + 1) / warmup} during the
 * first {@code warmup} steps, then {@code base * (1 + cos(pi * (t - warmup) / (total - warmup))) / 2},
 * reaching zero after the last step. Warmup counts from {@code t + 1} so the very first step does
 * not run at a learning rate of zero (solo-learn's and timm's convention).
 */
public final class WarmupCosineSchedule implements ISchedule {
  private static final long serialVersionUID = 1L;

  @JsonProperty private double base;
  @JsonProperty private long warmup;
  @JsonProperty private long total;

  /** For Jackson: network configurations travel as JSON. */
  private WarmupCosineSchedule() {}

  public WarmupCosineSchedule(double base, long warmup, long total) {
    if (total < 1 || warmup < 0 || warmup >= total) {
      throw new IllegalArgumentException("need 0 <= warmup < total, got warmup " + warmup + ", total " + total);
    }
    this.base = base;
    this.warmup = warmup;
    this.total = total;
  }

  /** The formula itself, for callers that check what a worker applied. */
  public static double at(double base, long warmup, long total, long step) {
    if (step < warmup) {
      return base * (step + 1) / warmup;
    }
    double progress = Math.min(1.0, (double) (step - warmup) / (total - warmup));
    return base * 0.5 * (1 + Math.cos(Math.PI * progress));
  }

  @Override
  public double valueAt(int iteration, int epoch) {
    return at(base, warmup, total, iteration);
  }

  @Override
  public ISchedule clone() {
    return new WarmupCosineSchedule(base, warmup, total);
  }
}
