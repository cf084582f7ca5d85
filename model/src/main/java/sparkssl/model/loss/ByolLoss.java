package sparkssl.model.loss;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;

/**
 * BYOL (Grill et al. 2020, eq. 2): the normalised prediction of one view regresses the teacher's
 * normalised projection of the other, {@code 2 - 2 cos(q_theta(z), z'_xi)}, symmetrised over the
 * two views (the paper's {@code L + L~}), averaged over the batch.
 */
public final class ByolLoss implements SslLoss {
  @Override
  public SDVariable loss(SameDiff sd, ViewOutputs views) {
    return regression(views.p(0), views.target(1)).add(regression(views.p(1), views.target(0)));
  }

  private static SDVariable regression(SDVariable prediction, SDVariable target) {
    return Similarity.cosine(prediction, target).mean().mul(-2.0).add(2.0);
  }
}
