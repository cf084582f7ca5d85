package sparkssl.job.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import sparkssl.spark.corpus.CorpusFiles;
import sparkssl.job.JobConfig;
import sparkssl.job.TrainCommand;
import sparkssl.spark.run.RunDirectory;

/**
 * {@code spark-ssl benchmark-train}: the PyTorch twin ({@code deploy/bench/twin.py}), then the job's
 * {@code train} in Spark local mode, with the same recipe on the same image folder, in one invocation; prints
 * each side's images/s per epoch, the steady state (the last epoch's) and the ratio. A benchmark, not a test.
 */
@Command(name = "benchmark-train", mixinStandardHelpOptions = true, sortOptions = false,
    description = {"Train the PyTorch twin (deploy/bench/twin.py, one process), then the job (Spark local mode, in "
        + "this process, --skip-eval), on the same image folder with the same recipe; "
        + "print both images/s and the ratio spark-ssl / PyTorch.",
        "Steady state is the last epoch's images/s: the images trained in that epoch over its training wall time "
            + "(the job: the epoch's Spark jobs, shuffle and views included, checkpoint excluded; the twin: its "
            + "DataLoader loop). The first epoch carries the start-up (JIT, Spark's first jobs, DataLoader workers) "
            + "and does not count, hence --epochs >= 2.",
        "The recipe is train's defaults (method, batch, averaging, optimiser, views, seed); the twin's batch is the "
            + "job's per-worker batch, its torch threads the job's cores."})
public final class TrainBenchmarkCommand implements Callable<Integer> {
  /** The methods twin.py implements. */
  private static final List<String> TWIN_METHODS = List.of("simclr", "byol", "vicreg");
  private static final String TWIN = "twin.py";
  /** The twin's DataLoader worker processes, as in the README's tables: augmentation beside the training step. */
  private static final int TWIN_LOADER_WORKERS = 1;

  @Option(names = "--corpus", paramLabel = "DIR",
      description = "Local folder of images (PNG/JPEG, recursive, e.g. class subfolders). Default: the bundled "
          + "Fashion-MNIST sample's train folder.")
  Path corpus;

  @Option(names = "--epochs", paramLabel = "N", defaultValue = "2",
      description = "Epochs of each side, >= 2: the last one is the steady state (default: ${DEFAULT-VALUE}).")
  int epochs;

  @Option(names = "--method", paramLabel = "NAME", description = "simclr, byol or vicreg, the methods the twin has (default: train's).")
  String method;

  @Option(names = "--batch-size", paramLabel = "N",
      description = "Images per step: per worker in the job, per step in the twin (default: train's).")
  Integer batchSize;

  @Option(names = "--cores", paramLabel = "N",
      description = "Cores of each side: the job runs in local[N] with train's default workers (N), the twin with "
          + "N torch threads (default: all of this machine's).")
  Integer cores;

  @Option(names = "--keep-runs", paramLabel = "DIR",
      description = "Keep the job's run directory (DIR/job), the twin's records (DIR/twin.jsonl) and its stderr "
          + "(DIR/twin.log) in DIR, a new or empty folder; default: a temporary folder, deleted at the end.")
  Path keepRuns;

  @Mixin
  PythonPeer.Interpreter python = new PythonPeer.Interpreter();

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    Path folder = corpus != null ? corpus : Paths.get(java.net.URI.create(JobConfig.sample("train")));
    int n = cores != null ? cores : Runtime.getRuntime().availableProcessors();
    String problem = problem(folder, n);
    if (problem != null) {
      throw new CommandLine.ParameterException(spec.commandLine(), problem);
    }
    long images = imageCount(folder);
    if (images == 0) {
      throw new CommandLine.ParameterException(spec.commandLine(), "--corpus: no PNG/JPEG images under " + folder);
    }
    if (keepRuns != null) {
      Files.createDirectories(keepRuns);
      return benchmark(folder, images, n, keepRuns);
    }
    try (ScratchDirectory scratch = ScratchDirectory.create("spark-ssl-benchmark-train")) {
      return benchmark(folder, images, n, scratch.path());
    }
  }

  private String problem(Path folder, int n) {
    if (!Files.isDirectory(folder)) return "--corpus: " + folder + " is not a folder";
    if (epochs < 2) return "--epochs must be >= 2 (the first epoch is warm-up, the last the steady state), got " + epochs;
    if (method != null && !TWIN_METHODS.contains(method)) {
      return "--method: the PyTorch twin has " + String.join(", ", TWIN_METHODS) + "; got '" + method + "'";
    }
    if (n < 1) return "--cores must be >= 1, got " + n;
    if (keepRuns != null && Files.exists(keepRuns) && !isEmptyFolder(keepRuns)) {
      return "--keep-runs: " + keepRuns + " is not an empty folder; name a new or empty one";
    }
    return null;
  }

  private static boolean isEmptyFolder(Path path) {
    try (Stream<Path> entries = Files.list(path)) {
      return entries.findAny().isEmpty();
    } catch (IOException e) {
      return false;
    }
  }

  private int benchmark(Path folder, long images, int n, Path dir) throws Exception {
    JobConfig job = jobConfig(folder, n, dir.resolve("job"));
    // local[N] with train's default workers trains N workers; checked here, not after the twin's epochs
    if (images < (long) n * job.batchSize) {
      throw new CommandLine.ParameterException(spec.commandLine(), "--corpus: " + images + " images, fewer than one step of "
          + "the job (" + n + " workers x " + job.batchSize + "): add images, or lower --cores or --batch-size");
    }
    String loadAtStart = LoadAverage.now();
    // the twin first: a Python without torch shows in seconds, not after the job's epochs
    Side torch;
    try {
      List<JsonNode> twinRecords = PythonPeer.records(python, TWIN, twinArgs(job, folder, n), dir.resolve("twin.log"));
      Files.writeString(dir.resolve("twin.jsonl"),
          twinRecords.stream().map(r -> r + "\n").collect(Collectors.joining()), StandardCharsets.UTF_8);
      torch = new Side("PyTorch", twinRecords);
    } catch (PythonPeer.Failure e) {
      PrintWriter err = spec.commandLine().getErr();
      err.println(spec.qualifiedName() + ": " + e.getMessage() + (e.tail.isEmpty() ? "" : "; the end of its stderr:"));
      e.tail.forEach(line -> err.println("  " + line));
      err.flush();
      return 1;
    }
    TrainCommand.train(job);
    Side spark = new Side("spark-ssl", records(dir.resolve("job").resolve(RunDirectory.METRICS)));
    JsonNode run = new ObjectMapper().readTree(dir.resolve("job").resolve(RunDirectory.CONFIG).toFile());
    printTable(job, run, spark, torch, String.format(Locale.ROOT, "corpus %s: %d images; %d epochs each; "
        + "steady state = the last epoch's images/s", folder, images, epochs), loadAtStart);
    return 0;
  }

  /**
   * The result: corpus, recipe, each side's setup as it ran (the job's from its config.json and last
   * metrics record) and rates, the ratio, the load.
   */
  private void printTable(JobConfig job, JsonNode run, Side spark, Side torch, String corpusLine, String loadAtStart)
      throws IOException {
    PrintWriter out = spec.commandLine().getOut();
    out.println(corpusLine);
    out.printf(Locale.ROOT, "recipe: %s, backbone %s, preset %s, %d px, %d channel(s), %s lr %s (%s), weight decay %s, seed %d%n",
        job.method.method, job.backbone, job.views.preset, job.views.imageSize, job.views.channels, job.optimizer.kind,
        job.optimizer.learningRate, job.optimizer.schedule, job.optimizer.weightDecay, job.seed);
    String jobSetup = String.format(Locale.ROOT, "%s, %d workers x %d, averaging every %s", run.get("spark_master").asText(),
        run.get("workers").asInt(), run.get("batch_size_per_worker").asInt(), spark.last().get("averaging_frequency").asText());
    // as the twin reports it ran
    JsonNode twinRun = torch.last();
    String twinSetup = String.format(Locale.ROOT, "%s, batch %d, %d threads, %d loader process(es)", TWIN,
        twinRun.get("batch_size").asInt(), twinRun.get("threads").asInt(), twinRun.get("loader_workers").asInt());
    int setupWidth = Math.max(jobSetup.length(), twinSetup.length());
    out.printf(Locale.ROOT, "%-9s  %-" + setupWidth + "s  %12s  %-24s  %15s%n", "side", "setup", "images/epoch",
        "images/s by epoch", "steady images/s");
    spark.print(out, jobSetup, setupWidth);
    torch.print(out, twinSetup, setupWidth);
    out.printf(Locale.ROOT, "ratio spark-ssl / PyTorch: %.2fx%n", spark.steady() / torch.steady());
    out.printf(Locale.ROOT, "load average at start: %s; at end: %s%n", loadAtStart, LoadAverage.now());
    out.flush();
  }

  /** train's settings for this benchmark: its defaults, but local[N], --skip-eval and the run directory given. */
  private JobConfig jobConfig(Path folder, int n, Path runDir) {
    List<String> args = new ArrayList<>(List.of("--corpus", folder.toUri().toString(), "--skip-eval",
        "--run-dir", runDir.toUri().toString(), "--epochs", String.valueOf(epochs), "--master", "local[" + n + "]"));
    if (method != null) {
      args.addAll(List.of("--method", method));
    }
    if (batchSize != null) {
      args.addAll(List.of("--batch-size", String.valueOf(batchSize)));
    }
    JobConfig job = new JobConfig();
    new CommandLine(job).parseArgs(args.toArray(String[]::new));
    String problem = job.problem();
    if (problem != null) {
      throw new CommandLine.ParameterException(spec.commandLine(), problem);
    }
    job.resolveDefaults();
    return job;
  }

  /** The twin's command line: the job's recipe, as far as the twin has settings for it. */
  private List<String> twinArgs(JobConfig job, Path folder, int n) {
    return List.of("--corpus", folder.toString(), "--skip-eval", "--epochs", String.valueOf(epochs),
        "--method", job.method.method, "--temperature", String.valueOf(job.method.temperature),
        "--batch-size", String.valueOf(job.batchSize), "--threads", String.valueOf(n),
        "--loader-workers", String.valueOf(TWIN_LOADER_WORKERS),
        "--optimizer", job.optimizer.kind.name(), "--learning-rate", String.valueOf(job.optimizer.learningRate),
        "--weight-decay", String.valueOf(job.optimizer.weightDecay), "--momentum", String.valueOf(job.optimizer.momentum),
        "--lars-eta", String.valueOf(job.optimizer.larsEta), "--lr-schedule", job.optimizer.schedule.name(),
        "--warmup-epochs", String.valueOf(job.optimizer.warmupEpochs),
        "--crop-min", String.valueOf(job.viewOptions().cropScaleMin),
        "--image-size", String.valueOf(job.views.imageSize), "--channels", String.valueOf(job.views.channels),
        "--seed", String.valueOf(job.seed));
  }

  /** Files the job lists as images: the same walk the twin makes, hidden entries left out as Spark leaves them. */
  private static long imageCount(Path folder) throws IOException {
    try (Stream<Path> files = Files.walk(folder)) {
      return files.filter(Files::isRegularFile)
          .filter(p -> CorpusFiles.isImage(p.getFileName().toString()))
          .filter(p -> !hidden(folder, p))
          .count();
    }
  }

  private static boolean hidden(Path folder, Path file) {
    for (Path part : folder.relativize(file)) {
      if (CorpusFiles.isHidden(part.toString())) {
        return true;
      }
    }
    return false;
  }

  private static List<JsonNode> records(Path jsonl) throws IOException {
    ObjectMapper json = new ObjectMapper();
    List<JsonNode> records = new ArrayList<>();
    for (String line : Files.readAllLines(jsonl, StandardCharsets.UTF_8)) {
      records.add(json.readTree(line));
    }
    return records;
  }

  /** One side's epochs as its metrics recorded them, one JSON record each with images and images_per_s. */
  private record Side(String name, List<JsonNode> epochs) {
    Side {
      if (epochs.isEmpty()) {
        throw new IllegalStateException(name + " recorded no epochs");
      }
    }

    JsonNode last() {
      return epochs.get(epochs.size() - 1);
    }

    double steady() {
      return last().get("images_per_s").asDouble();
    }

    void print(PrintWriter out, String setup, int setupWidth) {
      String byEpoch = epochs.stream().map(e -> String.format(Locale.ROOT, "%.1f", e.get("images_per_s").asDouble()))
          .collect(Collectors.joining(" "));
      out.printf(Locale.ROOT, "%-9s  %-" + setupWidth + "s  %12d  %-24s  %15.1f%n", name, setup, last().get("images").asLong(),
          byEpoch, steady());
    }
  }
}
