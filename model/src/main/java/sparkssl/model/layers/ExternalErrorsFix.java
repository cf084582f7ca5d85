package sparkssl.model.layers;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ops.impl.controlflow.compat.StopGradient;

/**
 * Works around a DL4J M2.1 defect: a (non-output) {@code SameDiffLayer} receives its epsilon through
 * nd4j's {@code ExternalErrorsFunction}, whose {@code doDiff} both registers the epsilon as the output's
 * gradient and returns it, so SameDiff counts it twice and every gradient through the layer comes out
 * doubled (measured: exactly 2x, in a finite-difference check). Returning {@code out/2 + stopgrad(out)/2}
 * keeps the value bit for bit (halving is exact) and halves the gradient. The gradient checks of the
 * layers fail if DL4J's behaviour ever changes.
 */
final class ExternalErrorsFix {
  private ExternalErrorsFix() {}

  static SDVariable layerOutput(SameDiff sd, SDVariable out) {
    return out.mul(0.5).add(new StopGradient(sd, out).outputVariable().mul(0.5));
  }
}
