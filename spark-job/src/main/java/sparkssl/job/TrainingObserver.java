package sparkssl.job;

import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.spark.executor.TaskMetrics;
import org.apache.spark.scheduler.AccumulableInfo;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerJobEnd;
import org.apache.spark.scheduler.SparkListenerJobStart;
import org.apache.spark.scheduler.SparkListenerStageSubmitted;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import scala.collection.JavaConverters;
import sparkssl.spark.corpus.CorpusReads;

/**
 * Watches the Spark jobs of training from Spark's own events: which executors ran tasks, the wall
 * seconds of training jobs (one per averaging round) and of the rest, and the bytes each epoch's
 * data moved ({@link DataMoved}). Stages are an epoch's when
 * the driver thread that submitted them carried the epoch in {@link #EPOCH} (an epoch's shuffle may
 * start while the previous one is being checkpointed).
 */
final class TrainingObserver extends SparkListener {
  /** The local property that marks a job as moving an epoch's training data. */
  static final String EPOCH = "sparkssl.data.epoch";

  /**
   * Bytes an epoch's data moved: read from storage by the corpus's tasks ({@link CorpusReads}), read as
   * task input (Spark's metric: files and cached blocks read back), written to and read from shuffle files.
   */
  record DataMoved(long storageRead, long input, long shuffleWritten, long shuffleRead) {
    private DataMoved plus(DataMoved o) {
      return new DataMoved(storageRead + o.storageRead, input + o.input, shuffleWritten + o.shuffleWritten,
          shuffleRead + o.shuffleRead);
    }
  }

  /** Stage names are call sites: "collect at RoundAveragingMaster.java:70". */
  private static final String ROUND_CALL_SITE = "at RoundAveragingMaster";

  private final Set<String> executors = ConcurrentHashMap.newKeySet();
  private final Map<Integer, String[]> running = new ConcurrentHashMap<>();
  private final Map<String, Double> jobSeconds = new ConcurrentHashMap<>();
  private final Map<Integer, Integer> stageEpochs = new ConcurrentHashMap<>();
  private final Map<Integer, DataMoved> moved = new ConcurrentHashMap<>();

  @Override
  public void onStageSubmitted(SparkListenerStageSubmitted submitted) {
    String epoch = submitted.properties() == null ? null : submitted.properties().getProperty(EPOCH);
    if (epoch != null) {
      stageEpochs.put(submitted.stageInfo().stageId(), Integer.valueOf(epoch));
    }
  }

  @Override
  public void onTaskEnd(SparkListenerTaskEnd taskEnd) {
    executors.add(taskEnd.taskInfo().executorId());
    Integer epoch = stageEpochs.get(taskEnd.stageId());
    TaskMetrics m = taskEnd.taskMetrics();
    if (epoch != null && m != null) {
      moved.merge(epoch, new DataMoved(storageRead(taskEnd), m.inputMetrics().bytesRead(),
          m.shuffleWriteMetrics().bytesWritten(), m.shuffleReadMetrics().totalBytesRead()), DataMoved::plus);
    }
  }

  /** The task's update of the corpus's storage-bytes accumulator, if it read the corpus. */
  private static long storageRead(SparkListenerTaskEnd taskEnd) {
    long bytes = 0;
    for (AccumulableInfo a : JavaConverters.seqAsJavaList(taskEnd.taskInfo().accumulables())) {
      if (a.name().contains(CorpusReads.STORAGE_BYTES) && a.update().isDefined()) {
        bytes += ((Number) a.update().get()).longValue();
      }
    }
    return bytes;
  }

  /** What epoch {@code epoch}'s data moved (its shuffle and its rounds), once its jobs are done. */
  DataMoved drainData(int epoch) {
    // its tasks have all ended: a run of many epochs would otherwise keep every stage it ran
    stageEpochs.values().removeIf(e -> e <= epoch);
    DataMoved m = moved.remove(epoch);
    return m == null ? new DataMoved(0, 0, 0, 0) : m;
  }

  @Override
  public void onJobStart(SparkListenerJobStart jobStart) {
    running.put(jobStart.jobId(), new String[] {kind(jobStart), String.valueOf(jobStart.time())});
  }

  @Override
  public void onJobEnd(SparkListenerJobEnd jobEnd) {
    String[] started = running.remove(jobEnd.jobId());
    if (started != null) {
      jobSeconds.merge(started[0], (jobEnd.time() - Long.parseLong(started[1])) / 1000.0, Double::sum);
    }
  }

  /** {@code train} for an averaging round's job (it also runs the epoch's shuffle), else {@code other}. */
  private static String kind(SparkListenerJobStart jobStart) {
    boolean round = JavaConverters.seqAsJavaList(jobStart.stageInfos()).stream()
        .anyMatch(stage -> stage.name().contains(ROUND_CALL_SITE));
    return round ? "train" : "other";
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
}
