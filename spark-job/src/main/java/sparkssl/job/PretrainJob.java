package sparkssl.job;

import static org.apache.spark.sql.functions.call_udf;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.util.CollectionAccumulator;
import org.apache.spark.util.LongAccumulator;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.spark.api.RDDTrainingApproach;
import org.deeplearning4j.spark.impl.multilayer.SparkDl4jMultiLayer;
import org.deeplearning4j.spark.impl.paramavg.ParameterAveragingTrainingMaster;
import org.nd4j.linalg.dataset.DataSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sparkssl.augment.SslViewsUdf;
import sparkssl.augment.ViewOptions;
import sparkssl.augment.ViewPipeline;
import sparkssl.model.FastPath;
import sparkssl.model.SslNetwork;

/**
 * The epoch loop. Each epoch builds a new RDD of freshly augmented view batches (DL4J's export
 * caches by RDD id, and views depend on the epoch), trains it with parameter averaging, then
 * checkpoints and records metrics. At the end the encoder's k-NN top-1 is reported next to the same
 * encoder's at random initialisation.
 */
public final class PretrainJob {
  private static final Logger LOG = LoggerFactory.getLogger(PretrainJob.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  private final SparkSession spark;
  private final JavaSparkContext sc;
  private final JobConfig cfg;

  public PretrainJob(SparkSession spark, JobConfig cfg) {
    this.spark = spark;
    this.sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    this.cfg = cfg;
  }

  /** Runs the job; returns the last metrics record. */
  public Map<String, Object> run() throws IOException {
    ViewOptions views = cfg.viewOptions();
    SslViewsUdf.register(spark, views);
    RunDirectory run = new RunDirectory(cfg.runDir, sc.hadoopConfiguration());
    run.writeConfig(configJson());

    MultiLayerNetwork net = SslNetwork.create(cfg.modelOptions());
    MultiLayerNetwork randomInit = net.clone();
    FastPath.Status driverPath = FastPath.status(net);
    if (driverPath.active()) {
      LOG.info("fast path: {}", driverPath);
    } else {
      LOG.warn("FAST PATH OFF, training will be several times slower: {}", driverPath);
    }
    JobConfig.Feed feed = cfg.resolvedFeed(sc.isLocal());
    if (feed == JobConfig.Feed.direct) {
      LOG.warn("feeding batches directly from the RDD: DL4J re-scans the epoch's data for every averaging round; "
          + "for large corpora give --export-dir on storage all executors see (hdfs://, s3a://)");
    }
    EpochLoss epochLoss = new EpochLoss(spark.sparkContext());
    FastPathProbe fastPathProbe = new FastPathProbe(spark.sparkContext());
    ParameterAveragingTrainingMaster master = new ParameterAveragingTrainingMaster.Builder(
        cfg.workers > 0 ? cfg.workers : null, cfg.batchSize)
        .batchSizePerWorker(cfg.batchSize)
        .averagingFrequency(cfg.averagingFrequency)
        .workerPrefetchNumBatches(2)
        .rngSeed(cfg.seed)
        .rddTrainingApproach(feed == JobConfig.Feed.export ? RDDTrainingApproach.Export : RDDTrainingApproach.Direct)
        .exportDirectory(cfg.exportDir)
        .trainingHooks(epochLoss, fastPathProbe)
        .build();
    SparkDl4jMultiLayer sparkNet = new SparkDl4jMultiLayer(sc, net, master);
    TrainingObserver observer = new TrainingObserver();
    spark.sparkContext().addSparkListener(observer);

    Dataset<Row> corpus = Corpus.images(spark, cfg.corpus);
    // Spark's binaryFile source drops zero-byte files before any UDF sees them: count them here
    Corpus.EmptyFiles empty = Corpus.emptyImageFiles(spark, cfg.corpus);
    KnnEvaluation knn = cfg.skipEval ? null : new KnnEvaluation(sc,
        Corpus.labeledImages(spark, cfg.evalTrain), Corpus.labeledImages(spark, cfg.evalTest),
        new ViewPipeline(views), cfg.knnK, cfg.knnTemperature);
    LOG.info("run directory {}; corpus {}; {} epochs, {} images per worker step, averaging every {} steps, {} workers",
        run.root(), cfg.corpus, cfg.epochs, cfg.batchSize, cfg.averagingFrequency,
        cfg.workers > 0 ? cfg.workers : sc.defaultParallelism());

    Map<String, Object> record = null;
    for (int epoch = 1; epoch <= cfg.epochs; epoch++) {
      LongAccumulator good = sc.sc().longAccumulator("images epoch " + epoch);
      LongAccumulator bad = sc.sc().longAccumulator("skipped files epoch " + epoch);
      CollectionAccumulator<String> badExamples = sc.sc().collectionAccumulator("skipped examples epoch " + epoch);
      JavaRDD<DataSet> batches = corpus
          .select(col("path"), call_udf(SslViewsUdf.VIEWS, col("content"), col("path"), lit(epoch)))
          .javaRDD()
          .mapPartitions(new ViewBatches(cfg.batchSize, views.numViews, views.channels, views.size, views.normalize(),
              good, bad, badExamples));

      long start = System.nanoTime();
      sparkNet.fit(batches);
      double wall = (System.nanoTime() - start) / 1e9;
      if (feed == JobConfig.Feed.export) {
        master.deleteTempFiles(sc);
      }
      net = sparkNet.getNetwork();
      run.checkpoint(net, epoch);

      double loss = epochLoss.takeMean();
      awaitListenerEvents();
      Set<String> seen = observer.drainExecutors();
      if (good.value() == 0) {
        throw new IllegalStateException("no decodable PNG/JPEG images under " + cfg.corpus
            + (bad.value() > 0 ? " (" + bad.value() + " files skipped, e.g. " + badExamples.value() + ")" : ""));
      }
      record = new LinkedHashMap<>();
      record.put("epoch", epoch);
      record.put("loss", loss);
      record.put("images", good.value());
      record.put("images_per_s", good.value() / wall);
      record.put("wall_s", wall);
      long skipped = bad.value() + empty.count();
      record.put("skipped_files", skipped);
      record.put("averaging_rounds", observer.drainAveragingRounds());
      record.put("spark_job_s", observer.drainJobSeconds());
      record.put("executors", seen);
      long[] steps = fastPathProbe.take();
      record.put("fast_path_steps", steps[0]);
      record.put("slow_path_steps", steps[1]);
      if (steps[1] > 0) {
        LOG.warn("epoch {}: {} of {} worker steps ran OFF the oneDNN fast path", epoch, steps[1], steps[0] + steps[1]);
      }
      if (skipped > 0) {
        List<String> all = new ArrayList<>();
        empty.examples().forEach(path -> all.add(path + " (EMPTY: zero bytes)"));
        all.addAll(badExamples.value());
        List<String> examples = all.subList(0, Math.min(5, all.size()));
        LOG.warn("epoch {}: skipped {} undecodable files, e.g. {}", epoch, skipped, examples);
        record.put("skipped_examples", examples);
      }
      boolean last = epoch == cfg.epochs;
      if (knn != null && (last || (cfg.evalEvery > 0 && epoch % cfg.evalEvery == 0))) {
        record.put("knn_top1", knn.top1(net));
      }
      if (knn != null && last) {
        record.put("knn_top1_random_init", knn.top1(randomInit));
      }
      run.appendMetrics(JSON.writeValueAsString(record));
      LOG.info("epoch {}/{}  loss {}  {} images/s  {} s{}", epoch, cfg.epochs,
          String.format("%.4f", loss), String.format("%.1f", good.value() / wall),
          String.format("%.1f", wall),
          record.containsKey("knn_top1") ? String.format("  k-NN top-1 %.2f%%", 100 * (double) record.get("knn_top1")) : "");
    }
    if (record != null && record.containsKey("knn_top1_random_init")) {
      LOG.info("k-NN top-1 (k={}, T={}): trained encoder {}%, same encoder at random init {}%", cfg.knnK, cfg.knnTemperature,
          String.format("%.2f", 100 * (double) record.get("knn_top1")),
          String.format("%.2f", 100 * (double) record.get("knn_top1_random_init")));
    }
    if (feed == JobConfig.Feed.export && cfg.exportDirIsDefault) {
      run.deleteScratch(cfg.exportDir);
    }
    LOG.info("model: {}/{}", run.root(), RunDirectory.MODEL);
    return record;
  }

  /** Listener events arrive asynchronously: let this epoch's reach the observer before reading it. */
  private void awaitListenerEvents() {
    try {
      spark.sparkContext().listenerBus().waitUntilEmpty(10_000);
    } catch (java.util.concurrent.TimeoutException e) {
      LOG.warn("Spark listener events still queued after 10 s; executor and averaging counts may lag an epoch");
    }
  }

  private String configJson() throws IOException {
    Map<String, Object> c = new LinkedHashMap<>();
    c.put("corpus", cfg.corpus);
    c.put("eval_train", cfg.evalTrain);
    c.put("eval_test", cfg.evalTest);
    c.put("skip_eval", cfg.skipEval);
    c.put("run_dir", cfg.runDir);
    c.put("feed", cfg.resolvedFeed(sc.isLocal()).name());
    c.put("export_dir", cfg.exportDir);
    c.put("epochs", cfg.epochs);
    c.put("batch_size_per_worker", cfg.batchSize);
    c.put("averaging_frequency", cfg.averagingFrequency);
    c.put("workers", cfg.workers > 0 ? cfg.workers : sc.defaultParallelism());
    c.put("eval_every", cfg.evalEvery);
    c.put("knn_k", cfg.knnK);
    c.put("knn_temperature", cfg.knnTemperature);
    c.put("preset", cfg.views.preset);
    c.put("views", cfg.viewOptions().describe());
    c.put("model", cfg.modelOptions());
    c.put("spark_master", sc.master());
    c.put("spark_conf", cfg.redactedSparkConf());
    return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(c);
  }
}
