package sparkssl.job;

import java.util.Collection;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Set;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.Row;
import org.apache.spark.util.CollectionAccumulator;
import org.apache.spark.util.LongAccumulator;
import sparkssl.augment.ViewPipeline;
import sparkssl.spark.corpus.CorpusLayout;
import sparkssl.spark.corpus.CorpusReads;
import sparkssl.spark.data.Epoch;
import sparkssl.spark.data.EpochPlan;
import sparkssl.spark.data.ShuffledEpoch;
import sparkssl.spark.data.SkippedFile;
import sparkssl.spark.data.WorkerShards;

/**
 * Where a run's epochs come from, as {@code --epoch-data} says: every epoch a shuffle of the corpus
 * into exact global batches ({@link ShuffledEpoch}), or worker shards dealt once and permuted on the
 * workers every epoch ({@link WorkerShards}).
 */
final class EpochSource {
  private final SparkSession spark;
  private final JavaSparkContext sc;
  private final CorpusLayout layout;
  private final JavaRDD<Row> corpus;
  private final JobConfig cfg;
  private final int workers;
  private final ViewPipeline pipeline;
  /** Null unless {@code --epoch-data shards}. */
  private final WorkerShards shards;

  private EpochSource(SparkSession spark, CorpusLayout layout, JavaRDD<Row> corpus, JobConfig cfg, int workers,
      ViewPipeline pipeline, WorkerShards shards) {
    this.spark = spark;
    this.sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    this.layout = layout;
    this.corpus = corpus;
    this.cfg = cfg;
    this.workers = workers;
    this.pipeline = pipeline;
    this.shards = shards;
  }

  /** The epochs of the corpus's {@code (path, content, key)} rows, read by tasks that count what they read. */
  static EpochSource of(SparkSession spark, CorpusLayout layout, CorpusReads reads, JobConfig cfg, int workers,
      ViewPipeline pipeline) {
    JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    // Spark's file source packs small files by a 4 MB open cost, one map task per ~32 images (313 tasks
    // for 10,000 Fashion-MNIST files), and each map task writes one shuffle file per round and worker;
    // merging the read into two tasks per core made the epoch's shuffle 5x faster
    JavaRDD<Row> corpus = reads.counted(layout.images(spark).javaRDD().coalesce(2 * sc.defaultParallelism()));
    return new EpochSource(spark, layout, corpus, cfg, workers, pipeline,
        cfg.epochData == JobConfig.EpochData.shards ? WorkerShards.deal(sc, corpus, cfg.seed, workers) : null);
  }

  /** Global steps an epoch of these keys makes. */
  long stepsPerEpoch(Collection<String> keys) {
    return shards == null ? EpochPlan.stepsPerEpoch(keys.size(), workers, cfg.batchSize)
        : WorkerShards.stepsPerEpoch(keys, cfg.seed, workers, cfg.batchSize);
  }

  /** Epoch {@code epoch} over the current {@code keys}, the corpus less the {@code undecodable} ones. */
  EpochInput epoch(int epoch, List<String> keys, Set<String> undecodable, int frequency) {
    LongAccumulator good = sc.sc().longAccumulator("images epoch " + epoch);
    CollectionAccumulator<SkippedFile> bad = sc.sc().collectionAccumulator("skipped files epoch " + epoch);
    int views = pipeline.trainingViewCount();
    Epoch rounds = shards == null
        ? ShuffledEpoch.of(sc, corpus, keys, cfg.seed, epoch, workers, cfg.batchSize, frequency, pipeline, views, good, bad)
        : shards.epoch(epoch, keys, undecodable, cfg.batchSize, frequency, pipeline, views, good, bad);
    return new EpochInput(rounds, good, bad);
  }

  /**
   * The encoded images of {@code keys}, in key order: filtered from the worker shards once an epoch has
   * cached them (no read from storage), else read by the corpus's layout.
   */
  List<byte[]> contents(Set<String> keys) {
    if (shards == null) {
      try {
        return layout.read(spark, keys);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return CorpusLayout.read(shards.shards(), keys);
  }

  /** Frees what the run kept on the executors (call once it has trained). */
  void release() {
    if (shards != null) {
      shards.release();
    }
  }

  /** An epoch's rounds and the accumulators its views count decoded images and skipped files into. */
  record EpochInput(Epoch rounds, LongAccumulator good, CollectionAccumulator<SkippedFile> bad) {}
}
