package sparkssl.job;

import java.nio.file.Paths;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import sparkssl.augment.ViewOptions;
import sparkssl.model.ModelOptions;
import sparkssl.model.backbones.Backbones;
import sparkssl.spark.eval.KnnEvaluation;
import sparkssl.spark.eval.Protocol;
import sparkssl.spark.train.Aggregation;
import sparkssl.spark.storage.Secrets;
import sparkssl.spark.storage.StorageProbe;

/**
 * Every setting of a pretraining run, with its default. Parsed from the command line and written to
 * the run directory's {@code config.json} (credentials redacted, see {@link Secrets}).
 */
public final class JobConfig extends EvalSetOptions {
  private static final long serialVersionUID = 1L;

  @Option(names = "--corpus", paramLabel = "PATH",
      description = "Unlabeled images (PNG/JPEG) on any Hadoop path: a folder (recursive), a Parquet table, or WebDataset tar "
          + "shards (see --corpus-format). Default: the bundled Fashion-MNIST sample's train folder.")
  public String corpus;

  @Option(names = "--skip-eval", description = "Skip the k-NN evaluation.")
  public boolean skipEval;

  @Option(names = "--run-dir", paramLabel = "PATH",
      description = "Where model.zip, checkpoints/, config.json and metrics.jsonl go (any Hadoop path). Default: runs/<timestamp>.")
  public String runDir;

  @Option(names = "--resume",
      description = "Continue the run in --run-dir from its newest complete checkpoint, with the same training settings "
          + "(a --run-dir without a checkpoint starts at epoch 1). Without it, a --run-dir that holds files is refused.")
  public boolean resume;

  @Option(names = "--keep-checkpoints", paramLabel = "N", defaultValue = "2",
      description = "Checkpoints kept in the run directory, newest first; older ones are deleted once a newer one is "
          + "published (default: ${DEFAULT-VALUE}).")
  public int keepCheckpoints;

  @Option(names = "--epochs", defaultValue = "10", description = "Passes over the corpus (default: ${DEFAULT-VALUE}).")
  public int epochs;

  @Option(names = "--batch-size", defaultValue = "64",
      description = "Images (view pairs) per worker step, exactly; contrastive negatives come from this batch only (default: ${DEFAULT-VALUE}).")
  public int batchSize;

  @Option(names = "--averaging-frequency", defaultValue = "4", paramLabel = "STEPS|auto", converter = AveragingFrequency.Converter.class,
      description = "Worker steps between parameter averagings, exactly (an epoch's last round may have fewer); auto: the "
          + "fewest that keep communication under 10%% of a round by the cost model, from probe rounds on the cluster "
          + "before the first epoch (default: ${DEFAULT-VALUE}).")
  AveragingFrequency averagingFrequency;

  @Option(names = "--workers", defaultValue = "0",
      description = "Parallel training workers; 0 = Spark's default parallelism (default: ${DEFAULT-VALUE}).")
  public int workers;

  @Option(names = "--aggregation", defaultValue = "auto", paramLabel = "auto|driver|tree",
      description = "Where a round's worker states are summed: driver (the driver collects and adds all W), tree (groups "
          + "of about sqrt(W) workers summed on executors, the driver adds the groups' sums); auto: tree on a cluster "
          + "where the states the driver no longer gathers come to " + AggregationChoice.TREE_SAVES_MB + " MB or more, "
          + "driver otherwise (default: ${DEFAULT-VALUE}).")
  public AggregationChoice aggregation;

  /** {@code --aggregation}: {@code auto} decides by the cluster's size and the state's. */
  public enum AggregationChoice {
    auto, driver, tree;

    /**
     * The states (in MB) a tree must spare the driver to pay for its extra shuffle stage: about 0.1 s
     * (a stage's latency in local mode here) of Java serialisation at 276 MB/s and a 10 Gbit/s link.
     */
    static final int TREE_SAVES_MB = 25;

    Aggregation resolve(int workers, boolean local, long stateBytes) {
      int spared = workers - Aggregation.fanIn(workers) - Aggregation.groups(workers) - 1;
      return switch (this) {
        case driver -> Aggregation.DRIVER;
        case tree -> Aggregation.TREE;
        case auto -> !local && (double) spared * stateBytes >= TREE_SAVES_MB * 1e6 ? Aggregation.TREE : Aggregation.DRIVER;
      };
    }
  }

  @Option(names = "--epoch-data", defaultValue = "shuffle",
      description = "How each epoch's images reach the workers: shuffle (every epoch a seeded shuffle of every image's bytes "
          + "into exact global batches) or shards (the corpus dealt once into a seeded IID shard per worker, kept on the "
          + "executors; every epoch each worker draws a fresh seeded permutation of its own shard, so later epochs shuffle "
          + "no bytes) (default: ${DEFAULT-VALUE}).")
  public EpochData epochData;

  /** Values of {@code --epoch-data}. */
  public enum EpochData {
    shuffle, shards
  }

  @Mixin
  public MethodConfig method = new MethodConfig();

  @Option(names = "--backbone", defaultValue = "small-cnn",
      description = "Encoder body: small-cnn (3x3 conv-BN-ReLU blocks of --conv-widths, 128-d by default, for 28-32 px), "
          + "small-cnn-deep (the same with five blocks 32,64,128,256,256 by default, 256-d), resnet18-cifar "
          + "(ResNet-18 with a 3x3 stem and no max-pool, 512-d, for 28-64 px), resnet18 or resnet50 (ImageNet stem, 512-d "
          + "and 2048-d, for 64 px and up) (default: ${DEFAULT-VALUE}).")
  public String backbone;

  @Option(names = "--conv-widths", split = ",", paramLabel = "W[,W...]",
      description = "The small CNNs' blocks: one 3x3 conv-BN-ReLU per width, the first at stride 1, the rest at stride 2; "
          + "the embedding has the last width's size; 1 to 5 blocks (default: the backbone's, small-cnn 32,64,128, "
          + "small-cnn-deep 32,64,128,256,256).")
  public List<Integer> convWidths;

  @Mixin
  public OptimizerConfig optimizer = new OptimizerConfig();

  @Option(names = "--seed", defaultValue = "42", description = "Seed of weights, views and data order (default: ${DEFAULT-VALUE}).")
  public long seed;

  @Mixin
  public ViewConfig views = new ViewConfig();

  @Option(names = "--knn-k", defaultValue = KnnEvaluation.DEFAULT_K, description = "Neighbours in the k-NN vote (default: ${DEFAULT-VALUE}).")
  public int knnK;

  @Option(names = "--knn-temperature", defaultValue = KnnEvaluation.DEFAULT_TEMPERATURE,
      description = "Vote weight exp(similarity / T) (default: ${DEFAULT-VALUE}).")
  public double knnTemperature;

  @Option(names = "--eval-every", defaultValue = "0",
      description = "Also evaluate every N epochs; 0 = only after the last (default: ${DEFAULT-VALUE}).")
  public int evalEvery;

  @Option(names = "--eval-protocol", split = ",", paramLabel = "knn|linear[,...]", defaultValue = Protocol.DEFAULT,
      converter = ProtocolConverter.class, description = ProtocolConverter.HELP + ", after the last epoch (default: "
          + "${DEFAULT-VALUE}).")
  public Set<Protocol> evalProtocols;

  @Option(names = "--progress-interval", defaultValue = "30", paramLabel = "SECONDS",
      description = "Seconds between progress lines within an epoch (images done, images/s, ETAs); redrawn every second "
          + "on a terminal; 0 = none (default: ${DEFAULT-VALUE}).")
  public int progressInterval;

  /** Fills the defaults that depend on where the project lives and on the clock. */
  public void resolveDefaults() {
    if (corpus == null) {
      corpus = sample("train");
    }
    resolveEvalDefaults();
    if (runDir == null) {
      runDir = Paths.get("runs", LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")))
          .toAbsolutePath().toUri().toString();
    }
  }

  /** A folder of the bundled Fashion-MNIST sample, as a URI. */
  public static String sample(String folder) {
    return Paths.get(System.getProperty("sparkssl.home", ".")).toAbsolutePath().normalize()
        .resolve("data/sample/fashion-mnist").resolve(folder).toUri().toString();
  }

  /** The first thing wrong with these settings, or null. */
  public String problem() {
    if (epochs < 1) return "--epochs must be >= 1, got " + epochs;
    if (batchSize < 2) return "--batch-size must be >= 2 (contrastive losses need negatives), got " + batchSize;
    if (workers < 0) return "--workers must be >= 0, got " + workers;
    String methodProblem = method.problem();
    if (methodProblem != null) return methodProblem;
    try {
      String sizeProblem = Backbones.imageSizeProblem(backbone, views.imageSize);
      if (sizeProblem != null) return "--backbone: " + sizeProblem;
    } catch (IllegalArgumentException e) {
      return "--backbone: " + e.getMessage();
    }
    String widthsProblem = Backbones.convWidthsProblem(backbone, givenConvWidths());
    if (widthsProblem != null) return "--conv-widths " + widthsProblem;
    String optimizerProblem = optimizer.problem(epochs);
    if (optimizerProblem != null) return optimizerProblem;
    String viewProblem = views.problem(seed);
    if (viewProblem != null) return viewProblem;
    ViewOptions v = viewOptions();
    String localProblem = v.localCrops > 0 ? method.localViewsProblem(v) : null;
    if (localProblem != null) return "--augment local_crops: " + localProblem;
    if (knnK < 1) return "--knn-k must be >= 1, got " + knnK;
    if (!(knnTemperature > 0)) return "--knn-temperature must be > 0, got " + knnTemperature;
    if (evalEvery < 0) return "--eval-every must be >= 0, got " + evalEvery;
    if (progressInterval < 0) return "--progress-interval must be >= 0, got " + progressInterval;
    if (evalEvery > 0 && skipEval) return "--eval-every asks for evaluations that --skip-eval turns off: give one of them";
    if (evalProtocols.contains(Protocol.LINEAR) && skipEval) {
      return "--eval-protocol linear asks for an evaluation that --skip-eval turns off: give one of them";
    }
    if (keepCheckpoints < 1) return "--keep-checkpoints must be >= 1, got " + keepCheckpoints;
    if (resume && runDir == null) return "--resume needs --run-dir: the directory of the run to continue";
    return null;
  }

  private int[] givenConvWidths() {
    return convWidths == null ? null : convWidths.stream().mapToInt(Integer::intValue).toArray();
  }

  public ViewOptions viewOptions() {
    return views.viewOptions(seed);
  }

  /** The model's settings for a run of {@code workers} workers and {@code stepsPerEpoch} global steps an epoch. */
  ModelOptions modelOptions(int workers, long stepsPerEpoch) {
    ModelOptions m = new ModelOptions();
    m.optimizer = optimizer.options(epochs, stepsPerEpoch, workers);
    m.method = method.method;
    m.backbone = backbone;
    m.convWidths = Backbones.convWidths(backbone, givenConvWidths());
    m.methodOptions = method.options();
    m.channels = views.channels;
    m.imageSize = views.imageSize;
    ViewOptions v = viewOptions();
    m.numViews = v.numViews + v.localCrops;
    m.seed = seed;
    return m;
  }

  /** The Spark settings as they may be written down: credentials replaced. */
  Map<String, String> redactedSparkConf() {
    return Secrets.redact(sparkConf);
  }

  /** The run's paths, for the storage probe before any Spark work (resolve the defaults first). */
  List<StorageProbe.Target> storageTargets() {
    List<StorageProbe.Target> targets = new ArrayList<>();
    targets.add(new StorageProbe.Target("--corpus", corpus));
    if (!skipEval) {
      targets.add(new StorageProbe.Target("--eval-train", evalTrain));
      targets.add(new StorageProbe.Target("--eval-test", evalTest));
    }
    targets.add(new StorageProbe.Target("--run-dir", runDir));
    return targets;
  }
}
