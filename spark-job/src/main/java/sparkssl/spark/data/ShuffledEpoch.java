package sparkssl.spark.data;

import java.util.List;
import org.apache.spark.Partitioner;
import org.apache.spark.ShuffleDependency;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Row;
import org.apache.spark.util.CollectionAccumulator;
import org.apache.spark.util.LongAccumulator;
import org.nd4j.linalg.dataset.DataSet;
import scala.Tuple2;
import sparkssl.augment.ViewPipeline;

/**
 * One epoch's training batches: the corpus's {@code (path, content, key)} rows shuffled by the epoch's
 * {@link EpochPlan} into one Spark partition per worker and averaging round (one shuffle of the file
 * bytes, sorted by position), then turned into views and minibatches on the worker.
 */
public final class ShuffledEpoch {
  private ShuffledEpoch() {}

  /**
   * The plan, its broadcast, the batches it makes (partition {@code r*W + w}: round r, worker w), and the
   * shuffle of file bytes that feeds them.
   */
  public record Batches(EpochPlan plan, Broadcast<EpochPlan> shared, JavaRDD<DataSet> rdd, ShuffleDependency<?, ?, ?> shuffle)
      implements Epoch {
    @Override
    public int rounds() {
      return plan.rounds();
    }

    @Override
    public JavaRDD<DataSet> round(int r) {
      return new PartitionRounds(rdd, plan.workers()).round(r);
    }

    @Override
    public long dropped() {
      return plan.dropped();
    }

    /**
     * Starts writing this epoch's shuffle now, in the background: the epoch's first round then finds
     * it done (Spark reuses a shuffle's map output) instead of reading and shuffling the corpus
     * itself while every worker waits. The previous epoch's checkpoint and metrics run meanwhile.
     */
    @Override
    public boolean prefetches() {
      return true;
    }

    @Override
    public void prefetch(JavaSparkContext sc) {
      sc.sc().submitMapStage(shuffle);
    }

    /**
     * Drops the plan's copies, every key of the corpus, from the driver and the executors. Left to
     * Spark's cleaner they stay until a collection of the old generation finds the broadcast
     * unreachable, and the heaps grow by one plan an epoch until then.
     */
    @Override
    public void release() {
      shared.destroy();
    }
  }

  public static Batches of(JavaSparkContext sc, JavaRDD<Row> corpus, List<String> paths, long seed,
      int epoch, int workers, int batchSize, int frequency, ViewPipeline pipeline, int numViews,
      LongAccumulator good, CollectionAccumulator<SkippedFile> bad) {
    EpochPlan plan = EpochPlan.of(paths, seed, epoch, workers, batchSize, frequency);
    Broadcast<EpochPlan> shared = sc.broadcast(plan);
    JavaPairRDD<Integer, Row> shuffled = corpus.flatMapToPair((Row row) -> {
          Integer p = shared.value().position(row.getString(2));
          return p == null ? List.<Tuple2<Integer, Row>>of().iterator() : List.of(new Tuple2<>(p, row)).iterator();
        })
        .repartitionAndSortWithinPartitions(new PlanPartitioner(plan.partitions(), shared));
    JavaRDD<DataSet> rdd = shuffled.mapPartitions(new ViewBatches(pipeline, epoch, batchSize, numViews, good, bad));
    return new Batches(plan, shared, rdd, (ShuffleDependency<?, ?, ?>) shuffled.rdd().dependencies().head());
  }

  /** Partition of a position, as the plan says. */
  private static final class PlanPartitioner extends Partitioner {
    private static final long serialVersionUID = 1L;
    private final int partitions;
    private final Broadcast<EpochPlan> plan;

    PlanPartitioner(int partitions, Broadcast<EpochPlan> plan) {
      this.partitions = partitions;
      this.plan = plan;
    }

    @Override
    public int numPartitions() {
      return partitions;
    }

    @Override
    public int getPartition(Object key) {
      return plan.value().partition((Integer) key);
    }
  }
}
