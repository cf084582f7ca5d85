package sparkssl.model.optim;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.learning.regularization.Regularization;
import org.nd4j.shade.jackson.annotation.JsonProperty;

/**
 * LARS (You et al. 2017) as the gradient transform that runs before DL4J's momentum updater, per
 * parameter tensor: {@code g <- eta * ||w|| / (||g|| + wd * ||w||) * (g + wd * w)}; the trust
 * ratio is 1 when either norm is zero. This is solo-learn's LARS (no clipping); momentum SGD after it
 * completes the optimiser. Parameters left out of LARS (biases, batch norm) get neither the trust
 * ratio nor weight decay, as in the SimCLR and BYOL papers.
 */
public final class LarsRegularization implements Regularization {
  private static final long serialVersionUID = 1L;

  @JsonProperty private double eta;
  @JsonProperty private double weightDecay;

  private LarsRegularization() {}

  public LarsRegularization(double eta, double weightDecay) {
    this.eta = eta;
    this.weightDecay = weightDecay;
  }

  @Override
  public ApplyStep applyStep() {
    return ApplyStep.BEFORE_UPDATER;
  }

  @Override
  public void apply(INDArray param, INDArray gradView, double lr, int iteration, int epoch) {
    double wNorm = param.norm2Number().doubleValue();
    double gNorm = gradView.norm2Number().doubleValue();
    if (weightDecay != 0) {
      gradView.addi(param.mul(weightDecay));
    }
    if (wNorm > 0 && gNorm > 0) {
      gradView.muli(eta * wNorm / (gNorm + weightDecay * wNorm));
    }
  }

  @Override
  public double score(INDArray param, int iteration, int epoch) {
    return 0; // weight decay's penalty is left out of the reported loss, as PyTorch reports it
  }

  @Override
  public Regularization clone() {
    return new LarsRegularization(eta, weightDecay);
  }
}
