package sparkssl.model.method;

import sparkssl.model.loss.NtXentLoss;
import sparkssl.model.loss.SslLoss;

/** SimCLR (Chen et al. 2020): contrastive, negatives from the worker's batch. */
final class SimClr implements SslMethod {
  @Override
  public String name() {
    return "simclr";
  }

  @Override
  public Heads heads() {
    return new Heads(128, 64, false, 0, 0);
  }

  @Override
  public SslLoss loss(MethodOptions o) {
    return new NtXentLoss(o.temperature, o.decoupled);
  }
}
