package sparkssl.model.method;

import sparkssl.model.loss.BarlowTwinsLoss;
import sparkssl.model.loss.SslLoss;

/** Barlow Twins (Zbontar et al. 2021): cross-correlation towards identity; wide projector with batch norm. */
final class BarlowTwins implements SslMethod {
  @Override
  public String name() {
    return "barlow";
  }

  @Override
  public Heads heads() {
    return new Heads(256, 256, true, 0, 0);
  }

  @Override
  public SslLoss loss(MethodOptions o) {
    return new BarlowTwinsLoss(o.barlowLambda);
  }
}
