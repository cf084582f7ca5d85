package sparkssl.spark.train;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What one epoch of averaging rounds did, summed over workers: steps, rounds, the batch sizes the
 * loss saw, the mean loss, the learning rates applied, and where worker and driver time went.
 */
public record EpochStats(int workers, int batchSize, List<Round> rounds) {

  /** One round: the workers' results reduced to what the metrics need. */
  public record Round(int steps, int minWorkerSteps, int maxWorkerSteps, long images, double lossTimesImages,
      int minBatch, int maxBatch, double setupSeconds, double fitSeconds, double dataSeconds, double wallSeconds,
      double averagingSeconds,
      double[] learningRates, double[] momenta) {

    /** The round's whole wall time: its Spark job, then the driver averaging. */
    double seconds() {
      return wallSeconds + averagingSeconds;
    }

    static Round of(List<RoundResult> results, double wallSeconds, double averagingSeconds) {
      List<RoundResult> trained = results.stream().filter(r -> r.steps() > 0).toList();
      RoundResult first = trained.isEmpty() ? results.get(0) : trained.get(0);
      return new Round(
          results.stream().mapToInt(RoundResult::steps).sum(),
          results.stream().mapToInt(RoundResult::steps).min().orElse(0),
          results.stream().mapToInt(RoundResult::steps).max().orElse(0),
          results.stream().mapToLong(RoundResult::images).sum(),
          results.stream().mapToDouble(RoundResult::lossTimesImages).sum(),
          trained.stream().mapToInt(RoundResult::minBatch).min().orElse(0),
          trained.stream().mapToInt(RoundResult::maxBatch).max().orElse(0),
          results.stream().mapToDouble(RoundResult::setupSeconds).sum(),
          results.stream().mapToDouble(RoundResult::fitSeconds).sum(),
          results.stream().mapToDouble(RoundResult::dataSeconds).sum(),
          wallSeconds, averagingSeconds, first.stepLearningRates(), first.stepMomenta());
    }
  }

  static EpochStats of(List<Round> rounds, int workers, int batchSize) {
    return new EpochStats(workers, batchSize, List.copyOf(rounds));
  }

  public long images() {
    return rounds.stream().mapToLong(Round::images).sum();
  }

  public int workerSteps() {
    return rounds.stream().mapToInt(Round::steps).sum();
  }

  public double meanLoss() {
    long n = images();
    return n == 0 ? Double.NaN : rounds.stream().mapToDouble(Round::lossTimesImages).sum() / n;
  }

  /** The learning rate of the epoch's last step. */
  public double lastLearningRate() {
    return last(Round::learningRates);
  }

  /** The teacher's momentum at the epoch's last step (NaN without a teacher). */
  public double lastTeacherMomentum() {
    return last(Round::momenta);
  }

  private double last(java.util.function.Function<Round, double[]> perStep) {
    for (int i = rounds.size() - 1; i >= 0; i--) {
      double[] values = perStep.apply(rounds.get(i));
      if (values.length > 0) {
        return values[values.length - 1];
      }
    }
    return Double.NaN;
  }

  /** What a steady round cost: a worker's mean step, and the round's wall time beyond its steps and views. */
  public record Measured(double stepSeconds, double overheadSeconds) {}

  /**
   * The epoch's rounds after its first (which also runs the shuffle): the mean step over all worker
   * steps, and the median of each round's wall time (driver averaging included) less its longest
   * worker's steps and a worker's share of waiting for views. Empty with fewer than two rounds.
   */
  public Optional<Measured> measured() {
    List<Round> steady = rounds.size() < 2 ? List.of() : rounds.subList(1, rounds.size());
    int steps = steady.stream().mapToInt(Round::steps).sum();
    if (steps == 0) {
      return Optional.empty();
    }
    double step = steady.stream().mapToDouble(Round::fitSeconds).sum() / steps;
    double[] overheads = steady.stream()
        .mapToDouble(r -> Math.max(0, r.seconds() - r.maxWorkerSteps() * step - r.dataSeconds() / workers))
        .sorted().toArray();
    return Optional.of(new Measured(step, overheads[overheads.length / 2]));
  }

  /** The per-epoch fields of {@code metrics.jsonl}. */
  public Map<String, Object> metrics() {
    Map<String, Object> m = new LinkedHashMap<>();
    int steps = workerSteps();
    m.put("workers", workers);
    m.put("worker_steps", steps);
    m.put("averaging_rounds", rounds.size());
    m.put("steps_per_round", Map.of(
        "min", rounds.stream().mapToInt(Round::minWorkerSteps).min().orElse(0),
        "max", rounds.stream().mapToInt(Round::maxWorkerSteps).max().orElse(0)));
    m.put("loss_batch", Map.of(
        "min", rounds.stream().mapToInt(Round::minBatch).min().orElse(0),
        "mean", steps == 0 ? 0.0 : (double) images() / steps,
        "max", rounds.stream().mapToInt(Round::maxBatch).max().orElse(0)));
    m.put("global_batch", workers * batchSize);
    m.put("learning_rate", lastLearningRate());
    double momentum = lastTeacherMomentum();
    if (!Double.isNaN(momentum)) {
      m.put("teacher_momentum", momentum);
    }
    m.put("worker_time_s", workerTime());
    double[] walls = rounds.stream().mapToDouble(Round::seconds).sorted().toArray();
    if (walls.length > 0) {
      m.put("round_s", Map.of("median", walls[walls.length / 2], "mean", Arrays.stream(walls).average().orElse(0),
          "first", rounds.get(0).seconds()));
    }
    return m;
  }

  /**
   * Worker-seconds of the epoch's rounds ({@code workers x} their wall time, the driver's averaging
   * included), split into computing steps, waiting for data, averaging (the driver averaging while
   * workers wait, and workers loading the averaged model) and everything else (task launch, result
   * serialisation and collection, Spark's scheduling); plus the compute share of the whole.
   */
  private Map<String, Object> workerTime() {
    double wall = rounds.stream().mapToDouble(Round::seconds).sum();
    double driverAveraging = rounds.stream().mapToDouble(Round::averagingSeconds).sum();
    double compute = rounds.stream().mapToDouble(Round::fitSeconds).sum();
    double data = rounds.stream().mapToDouble(Round::dataSeconds).sum();
    double averaging = workers * driverAveraging + rounds.stream().mapToDouble(Round::setupSeconds).sum();
    double total = workers * wall;
    Map<String, Object> t = new LinkedHashMap<>();
    t.put("compute", compute);
    t.put("data", data);
    t.put("averaging", averaging);
    t.put("other", Math.max(0, total - compute - data - averaging));
    t.put("total", total);
    t.put("compute_share", total == 0 ? 0 : compute / total);
    t.put("rounds_wall", wall);
    t.put("driver_averaging", driverAveraging);
    return t;
  }
}
