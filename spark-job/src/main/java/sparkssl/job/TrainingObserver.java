package sparkssl.job;

import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerJobEnd;
import org.apache.spark.scheduler.SparkListenerJobStart;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import scala.collection.JavaConverters;

/**
 * Watches the Spark jobs of training: which executors ran tasks, and how many parameter-averaging
 * rounds happened (each is one tree-aggregate job called from DL4J's ParameterAveragingTrainingMaster).
 *
 * <p>Counted from Spark's own events because dl4j-spark's training statistics crash (M2: "Cannot
 * merge ParameterAveragingTrainingWorkerStats with null") when a worker's split comes out empty.
 */
final class TrainingObserver extends SparkListener {
  /** Stage names are call sites: "treeAggregate at ParameterAveragingTrainingMaster.java:662". */
  private static final String AVERAGING_CALL_SITE = "ggregate at ParameterAveragingTrainingMaster";

  private final Set<String> executors = ConcurrentHashMap.newKeySet();
  private final AtomicInteger averagingRounds = new AtomicInteger();
  private final Map<Integer, String[]> running = new ConcurrentHashMap<>();
  private final Map<String, Double> jobSeconds = new ConcurrentHashMap<>();

  @Override
  public void onTaskEnd(SparkListenerTaskEnd taskEnd) {
    executors.add(taskEnd.taskInfo().executorId());
  }

  @Override
  public void onJobStart(SparkListenerJobStart jobStart) {
    boolean averaging = JavaConverters.seqAsJavaList(jobStart.stageInfos()).stream()
        .anyMatch(stage -> stage.name().contains(AVERAGING_CALL_SITE));
    if (averaging) {
      averagingRounds.incrementAndGet();
    }
    running.put(jobStart.jobId(), new String[] {kind(jobStart), String.valueOf(jobStart.time())});
  }

  @Override
  public void onJobEnd(SparkListenerJobEnd jobEnd) {
    String[] started = running.remove(jobEnd.jobId());
    if (started != null) {
      jobSeconds.merge(started[0], (jobEnd.time() - Long.parseLong(started[1])) / 1000.0, Double::sum);
    }
  }

  /**
   * What a Spark job of training does, from its stages' call sites: {@code train} (workers fit and
   * average), {@code balance} (DL4J counting and re-partitioning each split), {@code export}
   * (writing batches), {@code other}.
   */
  private static String kind(SparkListenerJobStart jobStart) {
    String names = String.join(" ", JavaConverters.seqAsJavaList(jobStart.stageInfos()).stream()
        .map(stage -> stage.name()).toList());
    if (names.contains(AVERAGING_CALL_SITE)) {
      return "train";
    }
    if (names.contains("at SparkUtils.java")) {
      return "balance";
    }
    if (names.contains("SparkHadoopWriter")) {
      return "export";
    }
    return "other";
  }

  /** Wall seconds of Spark jobs by kind since the last call. */
  Map<String, Double> drainJobSeconds() {
    Map<String, Double> out = new TreeMap<>(jobSeconds);
    out.keySet().forEach(jobSeconds::remove);
    return out;
  }

  /** The executors seen since the last call, sorted. */
  Set<String> drainExecutors() {
    Set<String> seen = new TreeSet<>(executors);
    executors.removeAll(seen);
    return seen;
  }

  /** Averaging rounds since the last call. */
  int drainAveragingRounds() {
    return averagingRounds.getAndSet(0);
  }
}
