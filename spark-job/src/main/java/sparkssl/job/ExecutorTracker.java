package sparkssl.job;

import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerTaskEnd;

/** Records which executors ran tasks, so each epoch's metrics say who took part. */
final class ExecutorTracker extends SparkListener {
  private final Set<String> executors = ConcurrentHashMap.newKeySet();

  @Override
  public void onTaskEnd(SparkListenerTaskEnd taskEnd) {
    executors.add(taskEnd.taskInfo().executorId());
  }

  /** The executors seen since the last call, sorted. */
  Set<String> drain() {
    Set<String> seen = new TreeSet<>(executors);
    executors.removeAll(seen);
    return seen;
  }
}
