package sparkssl.job;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.util.CollectionAccumulator;
import org.apache.spark.util.LongAccumulator;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.spark.impl.graph.SparkComputationGraph;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sparkssl.augment.SslViewsUdf;
import sparkssl.augment.ViewOptions;
import sparkssl.augment.ViewPipeline;
import sparkssl.model.Devices;
import sparkssl.model.FastPath;
import sparkssl.model.ModelOptions;
import sparkssl.model.ParameterCount;
import sparkssl.model.SslNetwork;
import sparkssl.model.blocks.ConvLayerConversion;
import sparkssl.model.blocks.ConvLayers;
import sparkssl.model.method.Methods;
import sparkssl.model.momentum.Teacher;
import sparkssl.spark.cost.AutoFrequency;
import sparkssl.spark.corpus.CorpusLayout;
import sparkssl.spark.corpus.CorpusReads;
import sparkssl.spark.corpus.S3Requests;
import sparkssl.spark.data.Epoch;
import sparkssl.spark.data.EpochPlan;
import sparkssl.spark.data.SkippedFile;
import sparkssl.spark.eval.Evaluation;
import sparkssl.spark.eval.Protocol;
import sparkssl.spark.eval.Scores;
import sparkssl.spark.ml.EncoderInput;
import sparkssl.spark.ml.TrainedEncoder;
import sparkssl.spark.outer.OuterOptimizer;
import sparkssl.spark.run.Checkpoint;
import sparkssl.spark.run.CheckpointManifest;
import sparkssl.spark.run.CheckpointStore;
import sparkssl.spark.run.RunDirectory;
import sparkssl.spark.run.RunProgress;
import sparkssl.spark.run.TrainingProgress;
import sparkssl.spark.train.Aggregation;
import sparkssl.spark.train.EpochStats;
import sparkssl.spark.storage.Secrets;
import sparkssl.spark.train.RoundAveragingMaster;
import sparkssl.spark.train.TaskDevice;
import sparkssl.spark.train.TrainingDivergedException;

/**
 * The epoch loop. Each epoch deals the corpus into exact worker batches by a seeded plan (a shuffle
 * of the corpus, or a permutation of worker shards dealt once: {@code --epoch-data}), makes fresh
 * views on the workers, trains with synchronous parameter averaging (stopping, with nothing of
 * the epoch saved, when the loss diverges), then publishes a checkpoint and records metrics. At the end
 * the encoder is evaluated next to the same encoder at random initialisation and the raw pixels. With
 * {@code --resume} the loop continues after the newest complete checkpoint, with the same data order,
 * views, skipped files, teacher and metrics the uninterrupted run would have had.
 */
public final class PretrainJob {
  private static final Logger LOG = LoggerFactory.getLogger(PretrainJob.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  /** The checkpoint part that holds the EMA teacher's state, for methods that have one. */
  private static final String TEACHER = "teacher.bin";
  /** The checkpoint part that holds the outer optimiser's momentum buffer, when it keeps one. */
  private static final String OUTER = "outer-momentum.bin";

  private final SparkSession spark;
  private final JavaSparkContext sc;
  private final JobConfig cfg;

  public PretrainJob(SparkSession spark, JobConfig cfg) {
    this.spark = spark;
    this.sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    this.cfg = cfg;
  }

  /** Runs the job; returns the last metrics record. */
  public JsonNode run() throws IOException {
    ViewOptions views = cfg.viewOptions();
    SslViewsUdf.register(spark, views);
    ViewPipeline pipeline = new ViewPipeline(views);
    EncoderInput input = EncoderInput.of(views);
    RunDirectory run = new RunDirectory(cfg.runDir, sc.hadoopConfiguration());
    CheckpointStore checkpoints = run.checkpoints(cfg.keepCheckpoints);
    Checkpoint resumed = cfg.resume ? checkpoints.loadLatest().orElse(null) : null;
    RunProgress progress = RunProgress.start(spark.sparkContext(), cfg.epochs, cfg.progressInterval);
    progress.phase("list the corpus");

    CorpusLayout layout = cfg.corpora.open(spark, "--corpus", cfg.corpus);
    InputChecks.checkDecodes(layout, pipeline, spark);
    CorpusLayout.Listing listing = layout.list(spark);
    CorpusLayout.LeftOut empty = listing.leftOut();
    List<String> paths = new ArrayList<>(listing.keys());
    LOG.info("corpus {}: {}, {} images{}", Secrets.redactUris(cfg.corpus), layout.format().flag(), paths.size(),
        empty.count() == 0 ? "" : "; " + empty.count() + " left out (" + empty.why() + "), e.g. " + empty.examples());
    int workers = cfg.workers > 0 ? cfg.workers : sc.defaultParallelism();
    CorpusReads reads = CorpusReads.of(spark.sparkContext(), cfg.corpus);
    EpochSource epochSource = EpochSource.of(spark, layout, reads, cfg, workers, pipeline);
    long stepsPerEpoch = epochSource.stepsPerEpoch(paths);
    if (stepsPerEpoch == 0) {
      throw new BadInputException("the corpus " + cfg.corpus + " has " + paths.size() + " image files, fewer than one "
          + "global batch (" + workers + " workers x --batch-size " + cfg.batchSize + "): add images, or lower --workers or --batch-size");
    }
    ModelOptions modelOptions = cfg.modelOptions(workers, stepsPerEpoch);
    ConvLayers layers = TaskDevice.convLayers(spark.sparkContext().getConf());
    String configText = JSON.writerWithDefaultPrettyPrinter().writeValueAsString(
        configJson(layout, paths.size(), workers, stepsPerEpoch, modelOptions, layers));
    JsonNode config = JSON.readTree(configText);
    if (resumed != null) {
      ResumeSettings.check(resumed.progress().config(), config, cfg.runDir);
    }
    run.writeConfig(configText);

    progress.phase("build the model, list the k-NN images");
    ComputationGraph randomInit = SslNetwork.create(modelOptions, layers);
    // a checkpoint of a run on other executors (CPUs, GPUs) goes on with this run's layers
    ComputationGraph net = resumed == null ? randomInit.clone() : ConvLayerConversion.to(resumed.network(), layers);
    // the collapse sample is drawn from the whole listing, as the uninterrupted run drew it
    CollapseMonitor collapse = CollapseMonitor.sample(paths, cfg.seed, pipeline, epochSource::contents);
    List<JsonNode> metrics = new ArrayList<>();
    // an undecodable file is named once and sits out every later epoch, after a resume too
    Map<String, SkippedFile> undecodable = new LinkedHashMap<>();
    CheckpointManifest.Entry lastGood = null;
    int firstEpoch = 1;
    if (resumed != null) {
      lastGood = resumed.entry();
      firstEpoch = lastGood.epoch() + 1;
      metrics.addAll(resumed.progress().metrics());
      resumed.progress().skippedFiles().forEach(f -> undecodable.put(f.key(), f));
      paths.removeAll(undecodable.keySet());
      LOG.info("resuming from epoch {} ({}/{}, global step {}); {}", lastGood.epoch(), checkpoints.dir(), lastGood.file(),
          lastGood.globalStep(), firstEpoch > cfg.epochs ? "all " + cfg.epochs + " epochs were done"
              : "epochs " + firstEpoch + " to " + cfg.epochs + " remain");
      // the run may have died after publishing its checkpoint and before writing these
      run.writeMetrics(metrics);
      run.writeModel(net, input);
    } else if (cfg.resume) {
      LOG.info("--resume: {} holds no checkpoint; starting at epoch 1", checkpoints.dir());
    }
    FastPath.Status driverPath = FastPath.status(net);
    if (driverPath.active()) {
      LOG.info("backend: {}", driverPath);
    } else {
      LOG.warn("backend: {}; FAST PATH OFF, training will be several times slower", driverPath);
    }
    TaskDevice.schedulingProblems(spark.sparkContext().getConf(), Devices.cuda(), Devices.cudaFallback()).forEach(LOG::warn);
    FastPathProbe fastPathProbe = new FastPathProbe(spark.sparkContext());
    Teacher teacher = Methods.get(modelOptions.method)
        .teacher(modelOptions.methodOptions, modelOptions.optimizer.totalSteps)
        .map(settings -> Teacher.of(resumed == null ? randomInit : resumed.network(), settings)).orElse(null);
    if (teacher != null && resumed != null) {
      // the checkpoint's teacher state is laid out as the checkpoint's network
      teacher.load(resumed.array(TEACHER));
      teacher = teacher.with(layers);
    }
    OuterOptimizer outer = cfg.optimizer.outerOptions().build(net);
    if (outer.state() != null && resumed != null) {
      outer.load(resumed.array(OUTER));
    }
    Aggregation aggregation = cfg.aggregation.resolve(workers, sc.isLocal(), RoundAveragingMaster.stateBytes(net, teacher));
    RoundAveragingMaster master = new RoundAveragingMaster(workers, teacher, outer, aggregation);
    master.addHook(fastPathProbe);
    AutoFrequency auto = null;
    if (cfg.averagingFrequency.auto()) {
      progress.phase("probe rounds for --averaging-frequency auto");
      auto = AutoFrequency.probe(sc, master, net, new long[] {cfg.batchSize, (long) modelOptions.numViews * modelOptions.channels,
          modelOptions.imageSize, modelOptions.imageSize}, workers, stepsPerEpoch);
    }
    int frequency = auto == null ? cfg.averagingFrequency.steps() : auto.steps();
    SparkComputationGraph sparkNet = new SparkComputationGraph(sc, net, master);
    TrainingObserver observer = new TrainingObserver();
    spark.sparkContext().addSparkListener(observer);

    Evaluation evaluation = cfg.skipEval ? null : new Evaluation(
        cfg.corpora.open(spark, "--eval-train", cfg.evalTrain).labeledImages(spark),
        cfg.corpora.open(spark, "--eval-test", cfg.evalTest).labeledImages(spark), cfg.evalProtocols, cfg.knnK,
        cfg.knnTemperature);
    LOG.info("run directory {}; corpus {} ({} images); {} with backbone {} ({} trainable parameters); {} epochs of {} steps; "
        + "{} workers x {} images per step (global batch {}), averaging every {} steps, states summed {}",
        Secrets.redactUris(run.root().toString()), Secrets.redactUris(cfg.corpus), paths.size(), modelOptions.method,
        modelOptions.backbone, ParameterCount.trainable(net.getLayers()), cfg.epochs, stepsPerEpoch, workers, cfg.batchSize,
        workers * cfg.batchSize, frequency, aggregation == Aggregation.TREE
            ? "in a tree (groups of " + Aggregation.fanIn(workers) + " on executors, then the driver)" : "on the driver");
    LOG.info("learning rate {} = --learning-rate {} x {} for {} workers (--lr-scaling {}); outer optimizer: {}; "
        + "{} averaged updates an epoch, where one worker would make {}", String.format("%.4g", modelOptions.optimizer.learningRate),
        cfg.optimizer.learningRate, String.format("%.4g", cfg.optimizer.lrScaling.factor(workers)), workers,
        cfg.optimizer.lrScaling, cfg.optimizer.outerOptions(), stepsPerEpoch, EpochPlan.stepsPerEpoch(paths.size(), 1, cfg.batchSize));

    EpochSource.EpochInput next = null;
    for (int epoch = firstEpoch; epoch <= cfg.epochs; epoch++) {
      EpochSource.EpochInput in = next != null ? next : epochSource.epoch(epoch, paths, undecodable.keySet(), frequency);
      next = null;
      Epoch rounds = in.rounds();
      LongAccumulator good = in.good();
      CollectionAccumulator<SkippedFile> bad = in.bad();
      progress.startEpoch(epoch, paths.size() - rounds.dropped(), good);

      long start = System.nanoTime();
      sc.setLocalProperty(TrainingObserver.EPOCH, String.valueOf(epoch));
      try {
        master.fit(sparkNet, rounds);
      } catch (TrainingDivergedException e) {
        throw new IllegalStateException("training diverged in epoch " + epoch + ": " + e.getMessage() + ". Nothing of epoch "
            + epoch + " was saved; " + (lastGood == null ? "no checkpoint had been published yet"
            : "the last good checkpoint, epoch " + lastGood.epoch() + " (" + checkpoints.dir() + "/" + lastGood.file() + "), is intact")
            + ". Lower --learning-rate or warm up (--lr-schedule cosine --warmup-epochs)", e);
      }
      sc.setLocalProperty(TrainingObserver.EPOCH, null);
      double wall = (System.nanoTime() - start) / 1e9;
      // before the next epoch's early shuffle reads the corpus
      Optional<S3Requests> requests = reads.drainS3(sc.hadoopConfiguration());
      net = sparkNet.getNetwork();
      EpochStats stats = master.takeEpoch(cfg.batchSize);
      rounds.release();

      List<SkippedFile> badNow = bad.value();
      if (good.value() == 0) {
        List<SkippedFile> examples = Stream.concat(empty.skipped().stream(), badNow.stream()).limit(3).toList();
        long skipped = empty.count() + badNow.size();
        throw new BadInputException("no decodable PNG/JPEG images under " + cfg.corpus
            + (skipped == 0 ? "" : " (" + skipped + " files skipped, e.g. " + examples + ")"));
      }
      badNow.forEach(skipped -> undecodable.putIfAbsent(skipped.key(), skipped));
      paths.removeAll(undecodable.keySet());
      long skippedSoFar = empty.count() + undecodable.size();
      awaitListenerEvents();
      Map<String, Object> record = new LinkedHashMap<>();
      record.put("epoch", epoch);
      record.put("loss", stats.meanLoss());
      record.put("images", good.value());
      record.put("images_per_s", good.value() / wall);
      record.put("wall_s", wall);
      record.put("dropped_images", rounds.dropped());
      record.putAll(stats.metrics());
      record.put("averaging_frequency", frequency);
      if (auto != null) {
        record.put("cost_model", auto.afterEpoch(stats, epoch, epoch < cfg.epochs));
        frequency = auto.steps();
      }
      if (epoch < cfg.epochs) {
        // the next epoch's shuffle is fixed now (its files, its averaging frequency): write it while
        // this epoch's metrics and checkpoint are made, not while the next epoch's first round waits
        next = epochSource.epoch(epoch + 1, paths, undecodable.keySet(), frequency);
        if (next.rounds().prefetches()) {
          progress.phase("epoch " + (epoch + 1) + "'s shuffle, started early");
          sc.setLocalProperty(TrainingObserver.EPOCH, String.valueOf(epoch + 1));
          next.rounds().prefetch(sc);
          sc.setLocalProperty(TrainingObserver.EPOCH, null);
        }
      }
      record.put("skipped_files", skippedSoFar);
      record.put("spark_job_s", observer.drainJobSeconds());
      record.put("executors", observer.drainExecutors());
      TrainingObserver.DataMoved data = observer.drainData(epoch);
      Map<String, Long> bytes = new LinkedHashMap<>();
      bytes.put("storage_read", data.storageRead());
      bytes.put("input", data.input());
      bytes.put("shuffle_written", data.shuffleWritten());
      bytes.put("shuffle_read", data.shuffleRead());
      record.put("data_bytes", bytes);
      requests.ifPresent(r -> record.put("s3_requests", r));
      LOG.info("epoch {} data: {} MB read from storage, {} MB as task input (storage and cached shards), {} MB written to "
          + "shuffle files, {} MB read from them{}", epoch, String.format("%.1f", data.storageRead() / 1e6),
          String.format("%.1f", data.input() / 1e6), String.format("%.1f", data.shuffleWritten() / 1e6),
          String.format("%.1f", data.shuffleRead() / 1e6), requests.map(r -> "; S3 requests to the corpus's bucket: " + r).orElse(""));
      FastPathProbe.Steps steps = fastPathProbe.take();
      record.put("fast_path_steps", steps.fast());
      record.put("slow_path_steps", steps.slow());
      record.put("devices", steps.devices());
      if (steps.slow() > 0) {
        LOG.warn("epoch {}: {} of {} worker steps ran OFF the fast path: {}", epoch, steps.slow(), steps.fast() + steps.slow(),
            steps.devices());
      }
      if (!badNow.isEmpty()) {
        LOG.warn("epoch {}: skipped {} undecodable files (left out of later epochs), e.g. {}", epoch, badNow.size(),
            badNow.subList(0, Math.min(5, badNow.size())));
      }
      if (skippedSoFar > 0) {
        record.put("skipped_examples", Stream.concat(
            empty.skipped().stream().map(SkippedFile::toString),
            undecodable.values().stream().map(SkippedFile::toString)).limit(5).toList());
      }
      progress.phase("collapse metrics");
      record.put("collapse", collapse.measure(net, epoch));
      boolean last = epoch == cfg.epochs;
      if (evaluation != null && (last || (cfg.evalEvery > 0 && epoch % cfg.evalEvery == 0))) {
        progress.phase(evaluation.name() + " evaluation, trained encoder");
        record.putAll(evaluation.encoder(TrainedEncoder.of(net, input)).metrics(Scores.TRAINED));
      }
      if (evaluation != null && last) {
        progress.phase(evaluation.name() + " evaluation, random-init encoder");
        record.putAll(evaluation.encoder(TrainedEncoder.of(randomInit, input)).metrics(Scores.RANDOM_INIT));
        // the pixels do not change with training: one evaluation a run
        progress.phase(evaluation.name() + " evaluation, raw pixels");
        record.putAll(evaluation.pixels(input).metrics(Scores.PIXELS));
      }
      metrics.add(JSON.valueToTree(record));
      progress.phase("checkpoint");
      List<Checkpoint.Part> parts = new ArrayList<>();
      if (teacher != null) {
        parts.add(Checkpoint.Part.array(TEACHER, teacher.state()));
      }
      if (outer.state() != null) {
        parts.add(Checkpoint.Part.array(OUTER, outer.state()));
      }
      ComputationGraph trained = net;
      lastGood = checkpoints.publish(new TrainingProgress(epoch, net.getIterationCount(), cfg.seed, config, metrics,
          List.copyOf(undecodable.values())), out -> TrainedEncoder.write(trained, input, out), parts);
      run.writeMetrics(metrics);
      run.writeModel(net, input);
      String runEta = progress.endEpoch();
      LOG.info("epoch {}/{}  loss {}  {} images/s  {} s  {} steps in {} rounds  lr {}{}{}  run ETA {}", epoch, cfg.epochs,
          String.format("%.4f", stats.meanLoss()), String.format("%.1f", good.value() / wall),
          String.format("%.1f", wall), stats.workerSteps(), stats.rounds().size(),
          String.format("%.3g", stats.lastLearningRate()),
          record.containsKey("knn_top1") ? String.format("  k-NN top-1 %.2f%%", 100 * (double) record.get("knn_top1")) : "",
          record.containsKey("linear_top1") ? String.format("  linear top-1 %.2f%%", 100 * (double) record.get("linear_top1")) : "",
          runEta);
    }
    progress.close();
    master.release();
    epochSource.release();
    JsonNode lastRecord = metrics.get(metrics.size() - 1);
    FinalScores.log(lastRecord, cfg.knnK, cfg.knnTemperature);
    LOG.info("model: {}/{}", Secrets.redactUris(run.root().toString()), RunDirectory.MODEL);
    return lastRecord;
  }

  /** Listener events arrive asynchronously: let this epoch's reach the observer before reading it. */
  private void awaitListenerEvents() {
    try {
      spark.sparkContext().listenerBus().waitUntilEmpty(10_000);
    } catch (java.util.concurrent.TimeoutException e) {
      LOG.warn("Spark listener events still queued after 10 s; executor and averaging counts may lag an epoch");
    }
  }

  private Map<String, Object> configJson(CorpusLayout layout, int corpusImages, int workers, long stepsPerEpoch,
      ModelOptions model, ConvLayers layers) {
    Map<String, Object> c = new LinkedHashMap<>();
    c.put("corpus", Secrets.redactUris(cfg.corpus));
    c.put("corpus_format", layout.format().flag());
    c.put("image_column", cfg.corpora.imageColumn);
    c.put("label_column", cfg.corpora.labelColumn);
    c.put("corpus_files", corpusImages);
    c.put("eval_train", Secrets.redactUris(cfg.evalTrain));
    c.put("eval_test", Secrets.redactUris(cfg.evalTest));
    c.put("skip_eval", cfg.skipEval);
    c.put("run_dir", Secrets.redactUris(cfg.runDir));
    c.put("epochs", cfg.epochs);
    c.put("batch_size_per_worker", cfg.batchSize);
    c.put("averaging_frequency", cfg.averagingFrequency.json());
    c.put("workers", workers);
    c.put("aggregation", cfg.aggregation);
    c.put("epoch_data", cfg.epochData);
    c.put("global_batch", workers * cfg.batchSize);
    c.put("base_learning_rate", cfg.optimizer.learningRate);
    c.put("lr_scaling", cfg.optimizer.lrScaling);
    c.put("outer_optimizer", cfg.optimizer.outerOptions());
    c.put("steps_per_epoch", stepsPerEpoch);
    c.put("eval_every", cfg.evalEvery);
    c.put("eval_protocol", cfg.evalProtocols.stream().map(Protocol::toString).toList());
    c.put("knn_k", cfg.knnK);
    c.put("knn_temperature", cfg.knnTemperature);
    c.put("progress_interval_s", cfg.progressInterval);
    c.put("preset", cfg.views.preset);
    c.put("views", cfg.viewOptions().describe());
    c.put("model", model);
    c.put("conv_layers", layers.toString());
    c.put("spark_master", sc.master());
    c.put("spark_conf", cfg.redactedSparkConf());
    c.put("keep_checkpoints", cfg.keepCheckpoints);
    return c;
  }
}
