package sparkssl.model.method;

import sparkssl.model.loss.SimSiamLoss;
import sparkssl.model.loss.SslLoss;

/** SimSiam (Chen and He 2021): predictor and stop-gradient, no teacher; bottleneck predictor. */
final class SimSiam implements SslMethod {
  @Override
  public String name() {
    return "simsiam";
  }

  @Override
  public Heads heads() {
    return new Heads(256, 128, true, 32, 0);
  }

  @Override
  public SslLoss loss(MethodOptions o) {
    return new SimSiamLoss(o.stopGradient);
  }
}
