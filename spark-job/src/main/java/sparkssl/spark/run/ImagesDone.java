package sparkssl.spark.run;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.apache.spark.Success$;
import org.apache.spark.scheduler.AccumulableInfo;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerExecutorMetricsUpdate;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import scala.Option;
import scala.Tuple4;
import scala.collection.JavaConverters;
import scala.collection.Seq;

/**
 * The running total of one accumulator (an epoch's decoded images) as the driver hears of it: the
 * final value of every finished task plus the latest value running tasks sent with their executor's
 * heartbeat ({@code spark.executor.heartbeatInterval}, 10 s by default), so a long averaging round
 * shows progress before its tasks end. A failed task's count is dropped; its retry counts again.
 */
final class ImagesDone extends SparkListener {
  private long accumulatorId = -1;
  private long finished;
  private final Map<Long, Long> running = new HashMap<>();
  /** A heartbeat sent just before a task ended may arrive after its end: it must not count again. */
  private final Set<Long> ended = new HashSet<>();

  /** Counts {@code accumulatorId} from zero. */
  synchronized void follow(long accumulatorId) {
    this.accumulatorId = accumulatorId;
    finished = 0;
    running.clear();
    ended.clear();
  }

  synchronized long count() {
    return finished + running.values().stream().mapToLong(Long::longValue).sum();
  }

  @Override
  public synchronized void onExecutorMetricsUpdate(SparkListenerExecutorMetricsUpdate update) {
    for (Tuple4<Object, Object, Object, Seq<AccumulableInfo>> task : JavaConverters.seqAsJavaList(update.accumUpdates())) {
      Long value = valueOf(task._4());
      if (value != null && !ended.contains((Long) task._1())) {
        running.put((Long) task._1(), value);
      }
    }
  }

  @Override
  public synchronized void onTaskEnd(SparkListenerTaskEnd end) {
    running.remove(end.taskInfo().taskId());
    ended.add(end.taskInfo().taskId());
    if (end.reason() == Success$.MODULE$) {
      Long value = valueOf(end.taskInfo().accumulables());
      finished += value == null ? 0 : value;
    }
  }

  private Long valueOf(Seq<AccumulableInfo> infos) {
    for (AccumulableInfo info : JavaConverters.seqAsJavaList(infos)) {
      Option<Object> update = info.update();
      if (info.id() == accumulatorId && update.isDefined()) {
        return ((Number) update.get()).longValue();
      }
    }
    return null;
  }
}
