package sparkssl.spark.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.apache.spark.SparkConf;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.JavaFutureAction;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.util.LongAccumulator;
import org.junit.jupiter.api.Test;

/**
 * In local Spark, two tasks add to an accumulator one at a time while the driver watches; the first
 * attempt of one task fails halfway and is retried.
 */
class ImagesDoneTest {
  @Test
  void countsRunningTasksFromHeartbeatsAndDropsFailedAttempts() throws Exception {
    SparkConf conf = new SparkConf().setMaster("local[2,2]").setAppName("images-done")
        .set("spark.ui.enabled", "false").set("spark.driver.host", "127.0.0.1")
        .set("spark.executor.heartbeatInterval", "200ms");
    try (JavaSparkContext sc = new JavaSparkContext(conf)) {
      LongAccumulator images = sc.sc().longAccumulator("images");
      ImagesDone done = new ImagesDone();
      done.follow(images.id());
      sc.sc().addSparkListener(done);
      JavaFutureAction<Void> job = sc.parallelize(List.of(0, 1), 2).foreachPartitionAsync(ignored -> {
        TaskContext task = TaskContext.get();
        for (int i = 0; i < 10; i++) {
          Thread.sleep(150);
          images.add(1);
          if (task.partitionId() == 0 && task.attemptNumber() == 0 && i == 3) {
            throw new IllegalStateException("the first attempt fails after 4 images");
          }
        }
      });
      Set<Long> seen = new TreeSet<>();
      while (!job.isDone()) {
        seen.add(done.count());
        Thread.sleep(20);
      }
      job.get();
      sc.sc().listenerBus().waitUntilEmpty(10_000);
      // a task adds 10 in all: any other count below 10 can only come from a running task's heartbeat
      assertTrue(seen.stream().anyMatch(c -> c > 0 && c < 10), "counts seen while tasks ran: " + seen);
      assertEquals(20, done.count(), "the failed attempt's 4 are not counted");
      assertEquals(20, images.value());
    }
  }
}
