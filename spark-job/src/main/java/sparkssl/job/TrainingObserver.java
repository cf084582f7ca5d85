package sparkssl.job;

import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.spark.scheduler.SparkListener;
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
