package sparkssl.spark.train;

import java.util.List;

/**
 * One timed probe round: its wall time on the driver (broadcast, the workers' steps, collecting and
 * averaging their states), the step time of its slowest worker (a synchronous round waits for it),
 * and the overhead, the wall time beyond that worker's steps and data.
 */
public record ProbeRound(double wallSeconds, double stepSeconds, double overheadSeconds, int steps) {

  static ProbeRound of(List<RoundResult> results, double wallSeconds) {
    int steps = results.stream().mapToInt(RoundResult::steps).max().orElse(0);
    double slowestStep = results.stream().filter(r -> r.steps() > 0).mapToDouble(r -> r.fitSeconds() / r.steps()).max().orElse(0);
    double busiest = results.stream().mapToDouble(r -> r.fitSeconds() + r.dataSeconds()).max().orElse(0);
    return new ProbeRound(wallSeconds, slowestStep, Math.max(0, wallSeconds - busiest), steps);
  }
}
