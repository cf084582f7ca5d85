package sparkssl.model.method;

import sparkssl.model.loss.SslLoss;
import sparkssl.model.loss.VicRegLoss;

/** VICReg (Bardes et al. 2022): variance, invariance, covariance; wide projector with batch norm. */
final class VicReg implements SslMethod {
  @Override
  public String name() {
    return "vicreg";
  }

  @Override
  public Heads heads() {
    return new Heads(256, 256, true, 0, 0);
  }

  @Override
  public SslLoss loss(MethodOptions o) {
    return new VicRegLoss(o.vicregInvariance, o.vicregVariance, o.vicregCovariance);
  }
}
