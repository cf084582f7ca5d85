package sparkssl.model.loss;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;

/**
 * SimSiam (Chen and He 2021, eq. 3-4): {@code L = D(p1, stopgrad(z2))/2 + D(p2, stopgrad(z1))/2} with
 * {@code D(p, z) = -cos(p, z)}, averaged over the batch. The stop-gradient is what keeps it from
 * collapsing; {@code withoutStopGradient} exists to show that.
 */
public final class SimSiamLoss implements SslLoss {
  private final boolean stopGradient;

  public SimSiamLoss(boolean stopGradient) {
    this.stopGradient = stopGradient;
  }

  @Override
  public SDVariable loss(SameDiff sd, ViewOutputs views) {
    return d(views.p(0), target(sd, views.z(1))).add(d(views.p(1), target(sd, views.z(0)))).div(2.0);
  }

  private SDVariable target(SameDiff sd, SDVariable z) {
    return stopGradient ? Similarity.stopGradient(sd, z) : z;
  }

  private static SDVariable d(SDVariable p, SDVariable z) {
    return Similarity.cosine(p, z).mean().neg();
  }
}
