package sparkssl.spark.train;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.nativeblas.NativeOpsHolder;

/**
 * A task's thread computes with the task's {@code spark.task.cpus} OpenMP threads, in a real local
 * Spark whose JVM would otherwise give every task one thread per core.
 */
class TaskThreadsTest {

  @Test
  void aTaskComputesWithItsSparkCpus() {
    assertEquals(List.of(1, 1), threadsSeenByTasks(1));
    assertEquals(List.of(2), threadsSeenByTasks(2));
  }

  /** OpenMP's thread count in each task's thread, after binding, with {@code local[2]} and this many CPUs per task. */
  private static List<Integer> threadsSeenByTasks(int cpusPerTask) {
    Nd4j.create(1); // ND4J loaded in this JVM (local mode: the tasks' too) before two tasks race to load it
    SparkSession spark = SparkSession.builder().master("local[2]").appName("task-threads")
        .config("spark.ui.enabled", "false").config("spark.task.cpus", String.valueOf(cpusPerTask)).getOrCreate();
    try {
      JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
      return sc.parallelize(List.of(0, 1), 2 / cpusPerTask).mapPartitions(it -> {
        NativeOpsHolder.getInstance().getDeviceNativeOps().setOmpNumThreads(4); // what a previous task may have left
        TaskThreads.bind();
        return List.of(NativeOpsHolder.getInstance().getDeviceNativeOps().ompGetMaxThreads()).iterator();
      }).collect();
    } finally {
      spark.stop();
    }
  }
}
