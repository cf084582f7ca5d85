package sparkssl.model.loss;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;

/** A self-supervised loss: the mean loss of a batch, as a SameDiff function of the views' outputs. */
public interface SslLoss {
  SDVariable loss(SameDiff sd, ViewOutputs views);
}
