package sparkssl.model.momentum;

import java.io.Serializable;

/**
 * An EMA teacher: its momentum goes from {@code baseMomentum} at step 0 to 1 at {@code totalSteps} on a
 * cosine. {@code centred} teachers (DINO) turn outputs into {@code softmax((t - c) / temperature)} with
 * the center c a running mean of their outputs at {@code centerMomentum}; others pass projections on.
 */
public record TeacherSettings(double baseMomentum, long totalSteps, boolean centred, double temperature,
    double centerMomentum) implements Serializable {

  public TeacherSettings {
    if (!(baseMomentum >= 0 && baseMomentum <= 1)) {
      throw new IllegalArgumentException("teacher momentum must be in [0, 1], got " + baseMomentum);
    }
  }

  public static TeacherSettings projections(double baseMomentum, long totalSteps) {
    return new TeacherSettings(baseMomentum, totalSteps, false, 1, 0);
  }

  public static TeacherSettings centred(double baseMomentum, long totalSteps, double temperature, double centerMomentum) {
    return new TeacherSettings(baseMomentum, totalSteps, true, temperature, centerMomentum);
  }

  /** BYOL's schedule, {@code 1 - (1 - base) (cos(pi k / K) + 1) / 2}; 1 from step K on. */
  public double momentumAt(long step) {
    if (step >= totalSteps) {
      return 1.0;
    }
    return 1 - (1 - baseMomentum) * (Math.cos(Math.PI * step / totalSteps) + 1) / 2;
  }
}
