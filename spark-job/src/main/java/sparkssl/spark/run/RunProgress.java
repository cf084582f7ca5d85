package sparkssl.spark.run;

import java.util.Locale;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.spark.SparkContext;
import org.apache.spark.util.LongAccumulator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where a run is, for the person watching it and for the Spark UI. Every epoch is a Spark job group
 * ({@code epoch-N}) and every phase a job description ({@code epoch 3/10: k-NN evaluation, ...}); the
 * averaging rounds add their round to the description. Within an epoch a line shows the images
 * trained of the epoch's total (counted from the epoch's images accumulator as tasks report it),
 * images/s, and the ETA of the epoch and of the run: every {@code interval} seconds as a log line, or
 * redrawn every second on a terminal.
 *
 * <p>The run's ETA is the rest of this epoch at its current rate plus the remaining epochs at the mean
 * duration of the finished ones (checkpoints and evaluations included); before any epoch has finished
 * it is the remaining epochs at this epoch's training rate.
 */
public final class RunProgress implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(RunProgress.class);
  private static final String TRAIN = "augment + train";

  private final SparkContext sc;
  private final int epochs;
  private final ProgressLine line;
  private final ImagesDone images = new ImagesDone();
  private final ScheduledExecutorService timer;
  private boolean tickFailed;

  private int epoch;
  private long planned;
  private String phase = "setup";
  private long phaseStart = System.nanoTime();
  private long epochStart;
  private long trainEnd;
  private double finishedSeconds;

  RunProgress(SparkContext sc, int epochs, int intervalSeconds, ProgressLine line) {
    this.sc = sc;
    this.epochs = epochs;
    this.line = line;
    sc.addSparkListener(images);
    if (intervalSeconds > 0) {
      long periodMs = line.live() ? Math.min(1000, intervalSeconds * 1000L) : intervalSeconds * 1000L;
      timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "spark-ssl-progress");
        t.setDaemon(true);
        return t;
      });
      timer.scheduleAtFixedRate(this::tick, periodMs, periodMs, TimeUnit.MILLISECONDS);
    } else {
      timer = null;
    }
  }

  /** Progress of a run of {@code epochs}, shown every {@code intervalSeconds} (0: only the Spark job groups). */
  public static RunProgress start(SparkContext sc, int epochs, int intervalSeconds) {
    return new RunProgress(sc, epochs, intervalSeconds, ProgressLine.forStderr());
  }

  /**
   * Starts an epoch that plans to train {@code plannedImages}, counted as {@code images} grows; its
   * Spark jobs join the group {@code epoch-N}, described as augment + train until {@link #phase} says
   * otherwise.
   */
  public synchronized void startEpoch(int epoch, long plannedImages, LongAccumulator images) {
    this.epoch = epoch;
    this.planned = plannedImages;
    this.images.follow(images.id());
    epochStart = System.nanoTime();
    trainEnd = 0;
    sc.setJobGroup("epoch-" + epoch, label() + ": " + TRAIN, false);
    phase = TRAIN;
    phaseStart = epochStart;
  }

  /** Names what the driver does next: the description of the Spark jobs it starts from now on. */
  public synchronized void phase(String what) {
    if (epoch == 0) {
      sc.setJobGroup("setup", what, false);
    } else {
      sc.setJobDescription(label() + ": " + what);
      if (trainEnd == 0) {
        trainEnd = System.nanoTime();
      }
    }
    phase = what;
    phaseStart = System.nanoTime();
  }

  /** Ends the epoch; returns the run's ETA for the epoch's log line. */
  public synchronized String endEpoch() {
    finishedSeconds += seconds(epochStart, System.nanoTime());
    line.clear();
    sc.clearJobGroup();
    return Durations.format((epochs - epoch) * finishedSeconds / epoch);
  }

  @Override
  public synchronized void close() {
    if (timer != null) {
      timer.shutdownNow();
    }
    sc.removeSparkListener(images);
    line.clear();
    sc.clearJobGroup();
  }

  private void tick() {
    // a run that failed never calls close(); its stopped context ends the display
    if (sc.isStopped()) {
      timer.shutdown();
      return;
    }
    try {
      String status = status();
      if (status != null) {
        line.show(status);
      }
    } catch (RuntimeException e) {
      if (!tickFailed) {
        LOG.warn("progress display failed; training goes on without it", e);
        tickFailed = true;
      }
    }
  }

  /** The progress line now. */
  synchronized String status() {
    long now = System.nanoTime();
    if (epoch == 0) {
      return "setup: " + phase + " (" + Durations.format(seconds(phaseStart, now)) + ")";
    }
    long done = images.count();
    double trainSeconds = seconds(epochStart, trainEnd == 0 ? now : trainEnd);
    double rate = done > 0 && trainSeconds > 0 ? done / trainSeconds : Double.NaN;
    double thisEpochLeft;
    double epochSeconds;
    if (epoch > 1) {
      epochSeconds = finishedSeconds / (epoch - 1);
      thisEpochLeft = trainEnd == 0 && rate > 0 ? (planned - done) / rate : epochSeconds - seconds(epochStart, now);
    } else {
      epochSeconds = planned / rate;
      thisEpochLeft = trainEnd == 0 ? (planned - done) / rate : 0;
    }
    double runLeft = Math.max(0, thisEpochLeft) + (epochs - epoch) * epochSeconds;
    String images = String.format(Locale.ROOT, "%d/%d images (%d%%)  %s images/s", done, planned,
        planned == 0 ? 0 : 100 * done / planned, Double.isFinite(rate) ? String.format(Locale.ROOT, "%.0f", rate) : "-");
    return trainEnd == 0
        ? String.format(Locale.ROOT, "%s  %s  ETA epoch %s, run %s", label(), images,
            Durations.format(thisEpochLeft), Durations.format(runLeft))
        : String.format(Locale.ROOT, "%s: %s (%s)  %s  ETA run %s", label(), phase,
            Durations.format(seconds(phaseStart, now)), images, Durations.format(runLeft));
  }

  private String label() {
    return "epoch " + epoch + "/" + epochs;
  }

  private static double seconds(long from, long to) {
    return (to - from) / 1e9;
  }
}
