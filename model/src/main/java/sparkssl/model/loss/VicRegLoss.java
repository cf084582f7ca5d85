package sparkssl.model.loss;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;

/**
 * VICReg (Bardes et al. 2022, eq. 6): {@code lambda s(Z, Z') + mu [v(Z) + v(Z')] + nu [c(Z) + c(Z')]}
 * with invariance s = mean squared distance, variance v = mean hinge {@code max(0, gamma - sqrt(Var +
 * eps))} over dimensions (gamma 1, eps 1e-4; halved per branch as in the official code), covariance
 * c = sum of squared off-diagonal covariances / d. Paper defaults lambda = mu = 25, nu = 1.
 */
public final class VicRegLoss implements SslLoss {
  private final double invariance;
  private final double variance;
  private final double covariance;

  public VicRegLoss(double invariance, double variance, double covariance) {
    this.invariance = invariance;
    this.variance = variance;
    this.covariance = covariance;
  }

  public static VicRegLoss paperDefaults() {
    return new VicRegLoss(25, 25, 1);
  }

  @Override
  public SDVariable loss(SameDiff sd, ViewOutputs views) {
    SDVariable z1 = views.z(0);
    SDVariable z2 = views.z(1);
    SDVariable diff = z1.sub(z2);
    SDVariable s = diff.mul(diff).mean();
    SDVariable x = z1.sub(z1.mean(true, 0));
    SDVariable y = z2.sub(z2.mean(true, 0));
    SDVariable nMinus1 = Similarity.rows(sd, x).sub(1.0);
    SDVariable v = varianceHinge(sd, x, nMinus1).add(varianceHinge(sd, y, nMinus1)).div(2.0);
    SDVariable d = sd.sizeAt(x, 1).castTo(x.dataType());
    SDVariable c = Similarity.offDiagonalSquaredSum(sd, Similarity.crossProduct(sd, x, x, nMinus1))
        .add(Similarity.offDiagonalSquaredSum(sd, Similarity.crossProduct(sd, y, y, nMinus1))).div(d);
    return s.mul(invariance).add(v.mul(variance)).add(c.mul(covariance));
  }

  /** Mean over dimensions of {@code relu(1 - std)} of centred {@code x}, unbiased variance. */
  private static SDVariable varianceHinge(SameDiff sd, SDVariable centred, SDVariable nMinus1) {
    SDVariable std = centred.mul(centred).sum(0).div(nMinus1).add(1e-4).pow(0.5);
    return sd.nn.relu(std.rsub(1.0), 0.0).mean();
  }
}
