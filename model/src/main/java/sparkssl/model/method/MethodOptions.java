package sparkssl.model.method;

import java.io.Serializable;

/**
 * Settings of the methods' losses and teachers, with the papers' defaults. A method reads the ones
 * that concern it.
 */
public final class MethodOptions implements Serializable {
  private static final long serialVersionUID = 1L;

  /** SimCLR: NT-Xent temperature, and the decoupled (DCL) denominator. */
  public double temperature = 0.2;
  public boolean decoupled = false;
  /** SimSiam: the stop-gradient on the target branch (off only to demonstrate collapse). */
  public boolean stopGradient = true;
  /** EMA teacher momentum at step 0 (BYOL 0.99, DINO 0.996 when NaN), rising to 1 on a cosine. */
  public double teacherMomentum = Double.NaN;
  /** DINO: student and teacher temperatures, center momentum. */
  public double studentTemperature = 0.1;
  public double teacherTemperature = 0.04;
  public double centerMomentum = 0.9;
  /** VICReg: invariance, variance, covariance weights. */
  public double vicregInvariance = 25;
  public double vicregVariance = 25;
  public double vicregCovariance = 1;
  /** Barlow Twins: weight of the off-diagonal (redundancy reduction) term. */
  public double barlowLambda = 5e-3;

  /** The momentum at step 0 for a method whose paper default is {@code paperDefault}. */
  public double teacherMomentumOr(double paperDefault) {
    return Double.isNaN(teacherMomentum) ? paperDefault : teacherMomentum;
  }
}
