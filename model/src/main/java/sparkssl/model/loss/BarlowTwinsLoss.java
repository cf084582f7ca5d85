package sparkssl.model.loss;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;

/**
 * Barlow Twins (Zbontar et al. 2021, eq. 1): with C the cross-correlation of the two views'
 * projections, each standardised along the batch (biased variance, eps 1e-5, as BatchNorm1d without
 * affine does), {@code sum_i (1 - C_ii)^2 + lambda sum_{i != j} C_ij^2}. Paper default lambda = 5e-3.
 */
public final class BarlowTwinsLoss implements SslLoss {
  private final double lambda;

  public BarlowTwinsLoss(double lambda) {
    this.lambda = lambda;
  }

  @Override
  public SDVariable loss(SameDiff sd, ViewOutputs views) {
    SDVariable a = standardise(views.z(0));
    SDVariable b = standardise(views.z(1));
    SDVariable c = Similarity.crossProduct(sd, a, b, Similarity.rows(sd, a));
    SDVariable onDiagonal = Similarity.diagonal(sd, c).sub(1.0);
    return onDiagonal.mul(onDiagonal).sum().add(Similarity.offDiagonalSquaredSum(sd, c).mul(lambda));
  }

  private static SDVariable standardise(SDVariable z) {
    SDVariable centred = z.sub(z.mean(true, 0));
    return centred.div(centred.mul(centred).mean(true, 0).add(1e-5).pow(0.5));
  }
}
