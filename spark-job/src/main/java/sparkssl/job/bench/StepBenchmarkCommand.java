package sparkssl.job.bench;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import org.deeplearning4j.nn.api.NeuralNetwork;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import sparkssl.model.FastPath;
import sparkssl.model.ModelOptions;
import sparkssl.model.ParameterCount;
import sparkssl.model.SslNetwork;

/**
 * {@code spark-ssl benchmark-step}: one training step of the SSL network in DL4J and of its PyTorch
 * twin ({@code deploy/bench/torch_step.py}, Debian's python3-torch), same batch, same threads, in one
 * invocation; prints median pairs/s, the DL4J/PyTorch ratio, both trainable parameter counts (a
 * mismatch fails the command) and each side's peak resident memory. A benchmark, not a test.
 */
@Command(name = "benchmark-step", mixinStandardHelpOptions = true, sortOptions = false,
    description = "Time a training step in DL4J and in the identical PyTorch model; print pairs/s and the ratio.")
public final class StepBenchmarkCommand implements Callable<Integer> {
  private static final List<String> MODELS = List.of("small-cnn", "conv-bn-relu", "resnet18");

  @Option(names = "--models", split = ",", defaultValue = "small-cnn,conv-bn-relu",
      description = "small-cnn (conv 32/64/128 + ReLU), conv-bn-relu (the job's default encoder), "
          + "resnet18 (CIFAR stem) (default: ${DEFAULT-VALUE}).")
  List<String> models;

  @Option(names = "--pairs", split = ",", defaultValue = "64,256", description = "Batch sizes in image pairs (default: ${DEFAULT-VALUE}).")
  List<Integer> pairs;

  @Option(names = "--channels", defaultValue = "3", description = "Input channels (default: ${DEFAULT-VALUE}).")
  int channels;

  @Option(names = "--size", defaultValue = "32", description = "Input side in pixels (default: ${DEFAULT-VALUE}).")
  int size;

  // the JVM keeps compiling DL4J's code for the first ~100 steps of a small network (C2 on the other
  // core): timed steps before that measure the compiler, not the step a training run repeats
  @Option(names = "--warmup", defaultValue = "100", description = "Untimed steps first, both sides (default: ${DEFAULT-VALUE}).")
  int warmup;

  @Option(names = "--steps", defaultValue = "30", description = "Timed steps; the median counts (default: ${DEFAULT-VALUE}).")
  int steps;

  @Option(names = "--resnet-warmup", defaultValue = "3", description = "Untimed steps first for resnet18 (default: ${DEFAULT-VALUE}).")
  int resnetWarmup;

  @Option(names = "--resnet-steps", defaultValue = "7",
      description = "Timed steps for resnet18, whose steps take seconds on a few cores (default: ${DEFAULT-VALUE}).")
  int resnetSteps;

  @CommandLine.Mixin
  PythonPeer.Interpreter python = new PythonPeer.Interpreter();

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    for (String m : models) {
      if (!MODELS.contains(m)) {
        throw new CommandLine.ParameterException(spec.commandLine(), "--models: unknown model '" + m + "'");
      }
    }
    if (steps < 1 || resnetSteps < 1 || warmup < 0 || resnetWarmup < 0 || pairs.stream().anyMatch(p -> p < 2)) {
      throw new CommandLine.ParameterException(spec.commandLine(),
          "--steps and --resnet-steps must be >= 1, --warmup and --resnet-warmup >= 0, --pairs >= 2");
    }
    int threads = Integer.parseInt(System.getenv().getOrDefault("OMP_NUM_THREADS",
        String.valueOf(Runtime.getRuntime().availableProcessors())));
    PrintWriter out = spec.commandLine().getOut();
    out.printf("threads %d (OMP_NUM_THREADS / torch.set_num_threads), input %dx%dx%d, %d warm-up + %d timed steps"
        + " (resnet18: %d + %d); load average at start: %s%n",
        threads, channels, size, size, warmup, steps, resnetWarmup, resnetSteps, LoadAverage.now());
    out.printf("%-13s %5s %12s %15s %6s %11s %14s %13s %16s%n", "model", "pairs", "DL4J pairs/s", "PyTorch pairs/s", "ratio",
        "DL4J params", "PyTorch params", "DL4J peak MiB", "PyTorch peak MiB");
    boolean countsMatch = true;
    for (String model : models) {
      for (int p : pairs) {
        Dl4jNet net = build(model);
        boolean peakKnown = PeakRss.reset();
        double dl4j = dl4jPairsPerSecond(net.net(), model, p);
        String dl4jPeak = peakKnown ? String.valueOf(PeakRss.kib() / 1024) : "n/a";
        JsonNode torch = torch(model, p, threads);
        double pt = torch.get("pairs_per_s").asDouble();
        long torchParams = torch.get("params").asLong();
        out.printf("%-13s %5d %12.1f %15.1f %5.2fx %11d %14d %13s %16d%n", model, p, dl4j, pt, dl4j / pt,
            net.params(), torchParams, dl4jPeak, torch.get("peak_rss_kib").asLong() / 1024);
        out.flush();
        if (net.params() != torchParams) {
          spec.commandLine().getErr().printf("error: %s is not the same network in DL4J (%d parameters) and PyTorch (%d)%n",
              model, net.params(), torchParams);
          countsMatch = false;
        }
      }
    }
    out.printf("load average at end: %s%n", LoadAverage.now());
    return countsMatch ? 0 : 1;
  }

  /** A network as the benchmark needs it: something to fit, and its trainable parameter count. */
  private record Dl4jNet(NeuralNetwork net, long params) {}

  private Dl4jNet build(String model) {
    ModelOptions o = new ModelOptions();
    o.channels = channels;
    o.imageSize = size;
    if (model.equals("resnet18")) {
      o.backbone = "resnet18-cifar";
    } else {
      o.batchNorm = model.equals("conv-bn-relu");
    }
    ComputationGraph g = SslNetwork.create(o);
    FastPath.Status status = FastPath.status(g);
    Dl4jNet built = new Dl4jNet(g, ParameterCount.trainable(g.getLayers()));
    if (!status.active()) {
      spec.commandLine().getErr().println("warning: DL4J runs OFF the fast path: " + status);
    }
    return built;
  }

  private double dl4jPairsPerSecond(NeuralNetwork net, String model, int p) {
    int untimed = warmupFor(model);
    int timed = stepsFor(model);
    Nd4j.getRandom().setSeed(0);
    DataSet batch = new DataSet(Nd4j.rand(DataType.FLOAT, p, 2L * channels, size, size), Nd4j.zeros(DataType.FLOAT, p, 1));
    double[] times = new double[timed];
    for (int i = 0; i < untimed + timed; i++) {
      long t0 = System.nanoTime();
      net.fit(batch);
      if (i >= untimed) {
        times[i - untimed] = (System.nanoTime() - t0) / 1e9;
      }
    }
    Arrays.sort(times);
    double median = timed % 2 == 1 ? times[timed / 2] : (times[timed / 2 - 1] + times[timed / 2]) / 2;
    return p / median;
  }

  private int warmupFor(String model) {
    return model.equals("resnet18") ? resnetWarmup : warmup;
  }

  private int stepsFor(String model) {
    return model.equals("resnet18") ? resnetSteps : steps;
  }

  private JsonNode torch(String model, int p, int threads) throws IOException, InterruptedException {
    return PythonPeer.run(python, "torch_step.py", List.of("--model", model, "--pairs", String.valueOf(p),
        "--channels", String.valueOf(channels), "--size", String.valueOf(size), "--threads", String.valueOf(threads),
        "--warmup", String.valueOf(warmupFor(model)), "--steps", String.valueOf(stepsFor(model))));
  }
}
