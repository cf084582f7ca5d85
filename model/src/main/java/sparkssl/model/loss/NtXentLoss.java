package sparkssl.model.loss;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;

/**
 * SimCLR's NT-Xent (Chen et al. 2020, eq. 1): for each of the 2N projections z_i, with z_j its other
 * view, {@code l(i,j) = -log( exp(sim(z_i,z_j)/tau) / sum_{k != i} exp(sim(z_i,z_k)/tau) )}, with
 * cosine similarity, averaged over all 2N anchors. The decoupled variant (DCL, Yeh et al. 2022)
 * leaves the positive out of the denominator, which helps most at the small per-worker batches of
 * parameter averaging.
 *
 * <p>Every logit is shifted by the constant {@code -1/tau} (cosine similarity is at most 1), which
 * keeps the exponentials in range without SameDiff's logSumExp (whose backprop fails in M2.1).
 */
public final class NtXentLoss implements SslLoss {
  private final double tau;
  private final boolean decoupled;

  public NtXentLoss(double tau, boolean decoupled) {
    if (!(tau > 0)) {
      throw new IllegalArgumentException("temperature must be > 0, got " + tau);
    }
    this.tau = tau;
    this.decoupled = decoupled;
  }

  @Override
  public SDVariable loss(SameDiff sd, ViewOutputs views) {
    SDVariable z1 = views.z(0);
    SDVariable z2 = views.z(1);
    SDVariable u1 = z1.div(z1.norm2(true, 1));
    SDVariable u2 = z2.div(z2.norm2(true, 1));
    SDVariable u = sd.concat(0, u1, u2);

    SDVariable twoN = sd.sizeAt(u, 0).reshape(1);
    SDVariable notSelf = sd.math.eye(twoN, twoN).rsub(1.0).castTo(u.dataType());
    SDVariable logits = sd.mmul(u, u, false, true, false).sub(1.0).div(tau);
    SDVariable positive = u1.mul(u2).sum(1).sub(1.0).div(tau);
    SDVariable positives = sd.concat(0, positive, positive);

    SDVariable denominator = sd.math.exp(logits).mul(notSelf).sum(1);
    if (decoupled) {
      denominator = denominator.sub(sd.math.exp(positives));
    }
    return sd.math.log(denominator).sub(positives).mean();
  }
}
