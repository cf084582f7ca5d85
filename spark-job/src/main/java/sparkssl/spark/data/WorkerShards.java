package sparkssl.spark.data;

import java.util.Collection;
import java.util.Set;
import org.apache.spark.HashPartitioner;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Row;
import org.apache.spark.storage.StorageLevel;
import org.apache.spark.util.CollectionAccumulator;
import org.apache.spark.util.LongAccumulator;
import scala.Tuple2;
import sparkssl.augment.ViewPipeline;
import sparkssl.augment.ViewSeed;

/**
 * The corpus dealt once per run into {@code W} shards, one Spark partition per worker, kept on the
 * executors: an image's shard is a seeded hash of its key, so each shard is an IID sample of the
 * corpus whatever its layout, and every later epoch reads the shards from the executors' block
 * managers instead of reading and shuffling the corpus again. A lost executor's shard is recomputed
 * from the same rows by the same hash. Each epoch is a {@link ShardEpoch}.
 */
public final class WorkerShards {
  /** Epochs count from 1 (and the collapse sample uses 0): the deal's hash is no epoch's order. */
  private static final int DEAL = -1;

  private final JavaSparkContext sc;
  private final JavaRDD<Row> shards;
  private final long seed;
  private final int workers;
  private JavaRDD<Tuple2<Integer, Row>> lastEpoch;

  private WorkerShards(JavaSparkContext sc, JavaRDD<Row> shards, long seed, int workers) {
    this.sc = sc;
    this.shards = shards;
    this.seed = seed;
    this.workers = workers;
  }

  /** The deal of the corpus's {@code (path, content, key)} rows; lazy, it runs with the first epoch's first round. */
  public static WorkerShards deal(JavaSparkContext sc, JavaRDD<Row> corpus, long seed, int workers) {
    JavaRDD<Row> shards = corpus.mapToPair((Row row) -> new Tuple2<>(shard(seed, row.getString(2), workers), row))
        // an Integer hashes to itself, so shard w lands in partition w
        .partitionBy(new HashPartitioner(workers))
        .values()
        .persist(StorageLevel.MEMORY_AND_DISK());
    return new WorkerShards(sc, shards, seed, workers);
  }

  /** The worker whose shard holds the image of this key. */
  public static int shard(long seed, String key, int workers) {
    return Math.floorMod(ViewSeed.orderKey(seed, DEAL, key), workers);
  }

  /**
   * Global steps an epoch of these keys makes: workers step together and each step takes exactly
   * {@code batchSize} images of every shard, so the smallest shard decides. Counted on the driver from
   * the keys it holds, without a Spark job.
   */
  public static long stepsPerEpoch(Collection<String> keys, long seed, int workers, int batchSize) {
    long[] counts = new long[workers];
    keys.forEach(key -> counts[shard(seed, key, workers)]++);
    long smallest = Long.MAX_VALUE;
    for (long n : counts) {
      smallest = Math.min(smallest, n);
    }
    return smallest / batchSize;
  }

  /**
   * Epoch {@code epoch} over the current {@code keys} (the corpus less {@code undecodable}); the
   * previous epoch's permuted shards are freed, that epoch being done.
   */
  public ShardEpoch epoch(int epoch, Collection<String> keys, Set<String> undecodable, int batchSize, int frequency,
      ViewPipeline pipeline, int numViews, LongAccumulator good, CollectionAccumulator<SkippedFile> bad) {
    if (lastEpoch != null) {
      lastEpoch.unpersist(false);
    }
    long steps = stepsPerEpoch(keys, seed, workers, batchSize);
    Broadcast<Set<String>> skip = sc.broadcast(Set.copyOf(undecodable));
    lastEpoch = shards.mapPartitionsWithIndex(new ShardPermutation(seed, epoch, workers, batchSize, steps, skip), true)
        .persist(StorageLevel.MEMORY_ONLY());
    return new ShardEpoch(lastEpoch, steps, keys.size() - steps * workers * batchSize, batchSize, frequency,
        new ViewBatches(pipeline, epoch, batchSize, numViews, good, bad));
  }

  /** Frees the shards and the last epoch's permutation of them (call once the run has trained). */
  public void release() {
    if (lastEpoch != null) {
      lastEpoch.unpersist(false);
    }
    shards.unpersist(false);
  }

  /** The dealt {@code (path, content, key)} rows, partition {@code w} worker {@code w}'s; cached once the first round ran. */
  public JavaRDD<Row> shards() {
    return shards;
  }
}
