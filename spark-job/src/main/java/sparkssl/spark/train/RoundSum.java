package sparkssl.spark.train;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The sum of the states of some of a round's workers that trained (parameters, updater state, teacher
 * state), how many they were, and every worker's figures without its state. Sums are taken in worker
 * order and combined in group order, so a round's average does not depend on which task finished
 * first: a resumed run repeats it to the last bit.
 */
record RoundSum(PackedArray params, PackedArray updaterState, PackedArray teacherState, int trained, int maxSteps,
    List<RoundResult> workers) implements Serializable {

  /** The sum over {@code results}, given in worker order. */
  static RoundSum of(List<RoundResult> results) {
    List<RoundResult> trained = results.stream().filter(x -> x.steps() > 0).toList();
    List<RoundResult> figures = results.stream().map(RoundResult::withoutState).toList();
    if (trained.isEmpty()) {
      return new RoundSum(null, null, null, 0, 0, figures);
    }
    return new RoundSum(PackedArray.of(sum(trained, RoundResult::params)),
        PackedArray.of(sum(trained, RoundResult::updaterState)),
        PackedArray.of(sum(trained, RoundResult::teacherState)),
        trained.size(), trained.stream().mapToInt(RoundResult::steps).max().orElse(0), figures);
  }

  /** This sum and {@code next}'s (the next group's), in place; the figures in worker order. */
  RoundSum plus(RoundSum next) {
    List<RoundResult> figures = new ArrayList<>(workers);
    figures.addAll(next.workers);
    if (next.trained == 0 || trained == 0) {
      RoundSum states = trained == 0 ? next : this;
      return new RoundSum(states.params, states.updaterState, states.teacherState, states.trained, states.maxSteps, figures);
    }
    add(params, next.params);
    add(updaterState, next.updaterState);
    add(teacherState, next.teacherState);
    return new RoundSum(params, updaterState, teacherState, trained + next.trained, Math.max(maxSteps, next.maxSteps), figures);
  }

  /** The equal-weight mean over the workers that trained, in place (null when none did). */
  INDArray mean(PackedArray part) {
    return part == null ? null : part.array().divi(trained);
  }

  private static void add(PackedArray into, PackedArray x) {
    if (into != null) {
      into.array().addi(x.array());
    }
  }

  private static INDArray sum(List<RoundResult> trained, Function<RoundResult, PackedArray> part) {
    if (part.apply(trained.get(0)) == null) {
      return null;
    }
    INDArray sum = part.apply(trained.get(0)).array().dup();
    trained.stream().skip(1).forEach(x -> sum.addi(part.apply(x).array()));
    return sum;
  }
}
