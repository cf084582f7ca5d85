package sparkssl.model.loss;

import java.util.List;
import org.nd4j.autodiff.samediff.SDVariable;

/**
 * What a loss sees of one batch, view by view ({@code [N, D]} each): the projector's outputs, the
 * predictor's outputs where the method has a predictor, and the teacher's targets for the global
 * views where it has a teacher (constants: no gradient reaches the teacher).
 */
public record ViewOutputs(List<SDVariable> projections, List<SDVariable> predictions, List<SDVariable> targets) {
  public static ViewOutputs of(SDVariable z1, SDVariable z2) {
    return new ViewOutputs(List.of(z1, z2), List.of(), List.of());
  }

  SDVariable z(int view) {
    return projections.get(view);
  }

  SDVariable p(int view) {
    return predictions.get(view);
  }

  SDVariable target(int view) {
    return targets.get(view);
  }
}
