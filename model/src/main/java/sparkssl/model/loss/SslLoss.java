package sparkssl.model.loss;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;

/** A self-supervised loss: the mean loss of a batch, from the two views' projections {@code [N, D]} each. */
public interface SslLoss {
  SDVariable loss(SameDiff sd, SDVariable z1, SDVariable z2);
}
