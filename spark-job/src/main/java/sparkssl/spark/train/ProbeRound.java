package sparkssl.spark.train;

import java.util.List;

/**
 * One timed probe round: its wall time on the driver (broadcast, the workers' steps, collecting and
 * averaging their states), the mean time of a worker's step, and the overhead, the wall time beyond
 * the slowest worker's steps and data.
 */
public record ProbeRound(double wallSeconds, double stepSeconds, double overheadSeconds, int steps) {

  static ProbeRound of(List<RoundResult> results, double wallSeconds) {
    int steps = results.stream().mapToInt(RoundResult::steps).max().orElse(0);
    double fit = results.stream().mapToDouble(RoundResult::fitSeconds).sum();
    int workerSteps = results.stream().mapToInt(RoundResult::steps).sum();
    double busiest = results.stream().mapToDouble(r -> r.fitSeconds() + r.dataSeconds()).max().orElse(0);
    return new ProbeRound(wallSeconds, workerSteps == 0 ? 0 : fit / workerSteps, Math.max(0, wallSeconds - busiest), steps);
  }
}
