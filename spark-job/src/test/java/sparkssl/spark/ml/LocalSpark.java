package sparkssl.spark.ml;

import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerJobStart;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.sql.SparkSession;

/** Spark local mode with 2 cores for tests, and counts of the Spark jobs a piece of code starts and the shuffle bytes it moves. */
public final class LocalSpark {
  private LocalSpark() {}

  public static SparkSession start(String name) {
    return SparkSession.builder().master("local[2]").appName(name)
        .config("spark.ui.enabled", "false").config("spark.driver.host", "127.0.0.1")
        .config("spark.driver.bindAddress", "127.0.0.1").getOrCreate();
  }

  /** Counts the jobs that start in {@code spark} from now on, from Spark's own listener events. */
  public static final class JobCounter extends SparkListener {
    private final AtomicInteger started = new AtomicInteger();
    private final SparkSession spark;

    private JobCounter(SparkSession spark) {
      this.spark = spark;
    }

    public static JobCounter on(SparkSession spark) {
      JobCounter counter = new JobCounter(spark);
      spark.sparkContext().addSparkListener(counter);
      return counter;
    }

    @Override
    public void onJobStart(SparkListenerJobStart jobStart) {
      started.incrementAndGet();
    }

    /** Jobs started so far, once Spark has delivered the events it has queued (a stopped context has). */
    public int started() throws TimeoutException {
      if (!spark.sparkContext().isStopped()) {
        spark.sparkContext().listenerBus().waitUntilEmpty(10_000);
      }
      return started.get();
    }
  }

  /** Sums the shuffle bytes the tasks of {@code spark} write and read from now on, from Spark's own task metrics. */
  public static final class ShuffleBytes extends SparkListener {
    private final AtomicLong written = new AtomicLong();
    private final AtomicLong read = new AtomicLong();
    private final SparkSession spark;

    private ShuffleBytes(SparkSession spark) {
      this.spark = spark;
    }

    public static ShuffleBytes on(SparkSession spark) {
      ShuffleBytes bytes = new ShuffleBytes(spark);
      spark.sparkContext().addSparkListener(bytes);
      return bytes;
    }

    @Override
    public void onTaskEnd(SparkListenerTaskEnd taskEnd) {
      if (taskEnd.taskMetrics() != null) {
        written.addAndGet(taskEnd.taskMetrics().shuffleWriteMetrics().bytesWritten());
        read.addAndGet(taskEnd.taskMetrics().shuffleReadMetrics().totalBytesRead());
      }
    }

    /** Bytes written and read since the last call, once Spark has delivered the events it has queued. */
    public Moved take() throws TimeoutException {
      spark.sparkContext().listenerBus().waitUntilEmpty(10_000);
      return new Moved(written.getAndSet(0), read.getAndSet(0));
    }

    /** Shuffle bytes written and read. */
    public record Moved(long written, long read) {}
  }
}
