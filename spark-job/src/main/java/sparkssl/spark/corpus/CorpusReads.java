package sparkssl.spark.corpus;

import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.spark.SparkContext;
import org.apache.spark.SparkEnv;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.deploy.SparkHadoopUtil$;
import org.apache.spark.util.AccumulatorV2;
import org.apache.spark.util.LongAccumulator;
import scala.Function0;

/**
 * What reading a corpus costs, counted by the tasks that read it.
 *
 * <p>Bytes read from storage: the task thread's Hadoop file system statistics over the task, as Spark
 * counts a Hadoop read's input, but without the cached blocks Spark's input metric adds; a named
 * accumulator ({@value #STORAGE_BYTES}), so a listener can give each task's bytes to its stage.
 *
 * <p>S3 requests, for an {@code s3a://} corpus: S3A counts them per JVM, not per thread or task, and
 * tasks share a JVM. So each task that reads the corpus adds its JVM's whole reading when it ends,
 * the driver keeps each JVM's latest reading and its own, and what a stretch of the run cost is the
 * growth of their sum. A JVM that dies keeps its last reading; a new executor starts from zero.
 */
public final class CorpusReads implements Serializable {
  private static final long serialVersionUID = 1L;
  /** The accumulator of bytes read from storage by the corpus's tasks. */
  public static final String STORAGE_BYTES = "sparkssl.corpus.storage_bytes";
  /** Which JVM a reading is of: executors' ids repeat across applications, a random id does not. */
  private static final String JVM = UUID.randomUUID().toString();

  private final String root;
  private final LongAccumulator storageBytes;
  /** Null unless the corpus is on {@code s3a://}. */
  private final Readings s3;
  private transient S3Requests counted = S3Requests.NONE;

  private CorpusReads(String root, LongAccumulator storageBytes, Readings s3) {
    this.root = root;
    this.storageBytes = storageBytes;
    this.s3 = s3;
  }

  public static CorpusReads of(SparkContext sc, String root) {
    Readings s3 = null;
    if (root.startsWith("s3a://")) {
      s3 = new Readings();
      sc.register(s3, "S3 requests of the corpus");
    }
    return new CorpusReads(root, sc.longAccumulator(STORAGE_BYTES), s3);
  }

  /**
   * {@code rows} whose tasks count what they read; each partition must be a whole task's reading
   * (apply it after any coalesce), since a task's count runs from its start to its end.
   */
  public <T> JavaRDD<T> counted(JavaRDD<T> rows) {
    return rows.mapPartitions(it -> {
      Function0<Object> bytesRead = SparkHadoopUtil$.MODULE$.get().getFSBytesReadOnThreadCallback();
      TaskContext.get().addTaskCompletionListener(task -> {
        storageBytes.add((Long) bytesRead.apply());
        if (s3 != null) {
          s3.add(Map.entry(JVM, reading(SparkHadoopUtil$.MODULE$.get().newConfiguration(SparkEnv.get().conf()))));
        }
      });
      return it;
    }, true);
  }

  /**
   * The S3 requests made since the last call (since the run began, the first time), on the driver;
   * empty unless the corpus is on {@code s3a://}.
   */
  public Optional<S3Requests> drainS3(Configuration driverHadoop) {
    if (s3 == null) {
      return Optional.empty();
    }
    s3.add(Map.entry(JVM, reading(driverHadoop)));
    S3Requests total = s3.value().values().stream().reduce(S3Requests.NONE, S3Requests::plus);
    S3Requests since = total.minus(counted);
    counted = total;
    return Optional.of(since);
  }

  private S3Requests reading(Configuration hadoop) {
    try {
      return S3Requests.of(new Path(root).getFileSystem(hadoop));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Each JVM's latest reading: merging two takes the later (larger) counts. */
  static final class Readings extends AccumulatorV2<Map.Entry<String, S3Requests>, Map<String, S3Requests>> {
    private static final long serialVersionUID = 1L;
    private final Map<String, S3Requests> latest = new ConcurrentHashMap<>();

    @Override
    public boolean isZero() {
      return latest.isEmpty();
    }

    @Override
    public Readings copy() {
      Readings c = new Readings();
      c.latest.putAll(latest);
      return c;
    }

    @Override
    public void reset() {
      latest.clear();
    }

    @Override
    public void add(Map.Entry<String, S3Requests> reading) {
      latest.merge(reading.getKey(), reading.getValue(), S3Requests::latest);
    }

    @Override
    public void merge(AccumulatorV2<Map.Entry<String, S3Requests>, Map<String, S3Requests>> other) {
      other.value().forEach((jvm, reading) -> add(Map.entry(jvm, reading)));
    }

    @Override
    public Map<String, S3Requests> value() {
      return Map.copyOf(latest);
    }
  }
}
