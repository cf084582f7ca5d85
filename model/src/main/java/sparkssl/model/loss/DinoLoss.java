package sparkssl.model.loss;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;

/**
 * DINO (Caron et al. 2021, eq. 3): cross-entropy {@code H(P_t(x), P_s(x')) = -sum P_t log P_s} between
 * the teacher's centred, sharpened distribution of each global view and the student's distribution
 * {@code softmax(s / tau_s)} of every other view (global and local), averaged over the pairs and the
 * batch. The teacher's side arrives as targets (see {@code sparkssl.model.momentum.Teacher}).
 */
public final class DinoLoss implements SslLoss {
  private final double studentTemperature;

  public DinoLoss(double studentTemperature) {
    this.studentTemperature = studentTemperature;
  }

  @Override
  public SDVariable loss(SameDiff sd, ViewOutputs views) {
    SDVariable total = null;
    int pairs = 0;
    for (int t = 0; t < views.targets().size(); t++) {
      for (int v = 0; v < views.projections().size(); v++) {
        if (v == t) {
          continue;
        }
        SDVariable h = views.target(t).mul(logSoftmax(sd, views.z(v).div(studentTemperature))).sum(1).mean().neg();
        total = total == null ? h : total.add(h);
        pairs++;
      }
    }
    return total.div(pairs);
  }

  /** Row-wise log-softmax, shifted by the (constant) row maximum; SameDiff's own fails in backprop in M2.1. */
  private static SDVariable logSoftmax(SameDiff sd, SDVariable x) {
    SDVariable shifted = x.sub(Similarity.stopGradient(sd, x.max(true, 1)));
    return shifted.sub(sd.math.log(sd.math.exp(shifted).sum(true, 1)));
  }
}
