package sparkssl.job;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import sparkssl.model.FastPath;
import sparkssl.model.ModelOptions;
import sparkssl.model.SslNetwork;

/**
 * {@code spark-ssl benchmark-step}: one training step of the SSL network in DL4J and of its PyTorch
 * twin ({@code deploy/bench/torch_step.py}, Debian's python3-torch), same batch, same threads, in one
 * invocation; prints median pairs/s and the DL4J/PyTorch ratio. A benchmark, not a test.
 */
@Command(name = "benchmark-step", mixinStandardHelpOptions = true, sortOptions = false,
    description = "Time a training step in DL4J and in the identical PyTorch model; print pairs/s and the ratio.")
final class StepBenchmarkCommand implements Callable<Integer> {
  @Option(names = "--models", split = ",", defaultValue = "small-cnn,conv-bn-relu",
      description = "small-cnn (conv 32/64/128 + ReLU) and/or conv-bn-relu (the job's default encoder) (default: ${DEFAULT-VALUE}).")
  List<String> models;

  @Option(names = "--pairs", split = ",", defaultValue = "64,256", description = "Batch sizes in image pairs (default: ${DEFAULT-VALUE}).")
  List<Integer> pairs;

  @Option(names = "--channels", defaultValue = "3", description = "Input channels (default: ${DEFAULT-VALUE}).")
  int channels;

  @Option(names = "--size", defaultValue = "32", description = "Input side in pixels (default: ${DEFAULT-VALUE}).")
  int size;

  @Option(names = "--warmup", defaultValue = "10", description = "Untimed steps first (default: ${DEFAULT-VALUE}).")
  int warmup;

  @Option(names = "--steps", defaultValue = "30", description = "Timed steps; the median counts (default: ${DEFAULT-VALUE}).")
  int steps;

  @Option(names = "--python", defaultValue = "/usr/bin/python3", description = "Python with torch (default: ${DEFAULT-VALUE}).")
  String python;

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    for (String m : models) {
      if (!m.equals("small-cnn") && !m.equals("conv-bn-relu")) {
        throw new CommandLine.ParameterException(spec.commandLine(), "--models: unknown model '" + m + "'");
      }
    }
    if (steps < 1 || warmup < 0 || pairs.stream().anyMatch(p -> p < 2)) {
      throw new CommandLine.ParameterException(spec.commandLine(), "--steps must be >= 1, --warmup >= 0, --pairs >= 2");
    }
    int threads = Integer.parseInt(System.getenv().getOrDefault("OMP_NUM_THREADS",
        String.valueOf(Runtime.getRuntime().availableProcessors())));
    PrintWriter out = spec.commandLine().getOut();
    out.printf("threads %d (OMP_NUM_THREADS / torch.set_num_threads), input %dx%dx%d, %d warm-up + %d timed steps%n",
        threads, channels, size, size, warmup, steps);
    out.printf("%-14s %6s %14s %16s %8s%n", "model", "pairs", "DL4J pairs/s", "PyTorch pairs/s", "ratio");
    for (String model : models) {
      for (int p : pairs) {
        double dl4j = dl4jPairsPerSecond(model, p);
        JsonNode torch = torch(model, p, threads);
        double pt = torch.get("pairs_per_s").asDouble();
        out.printf("%-14s %6d %14.1f %16.1f %7.2fx%n", model, p, dl4j, pt, dl4j / pt);
        out.flush();
      }
    }
    return 0;
  }

  private double dl4jPairsPerSecond(String model, int p) {
    ModelOptions o = new ModelOptions();
    o.channels = channels;
    o.imageSize = size;
    o.batchNorm = model.equals("conv-bn-relu");
    MultiLayerNetwork net = SslNetwork.create(o);
    FastPath.Status status = FastPath.status(net);
    if (!status.active()) {
      spec.commandLine().getErr().println("warning: DL4J runs OFF the fast path: " + status);
    }
    Nd4j.getRandom().setSeed(0);
    DataSet batch = new DataSet(Nd4j.rand(DataType.FLOAT, p, 2L * channels, size, size), Nd4j.zeros(DataType.FLOAT, p, 1));
    double[] times = new double[steps];
    for (int i = 0; i < warmup + steps; i++) {
      long t0 = System.nanoTime();
      net.fit(batch);
      if (i >= warmup) {
        times[i - warmup] = (System.nanoTime() - t0) / 1e9;
      }
    }
    Arrays.sort(times);
    double median = steps % 2 == 1 ? times[steps / 2] : (times[steps / 2 - 1] + times[steps / 2]) / 2;
    return p / median;
  }

  private JsonNode torch(String model, int p, int threads) throws IOException, InterruptedException {
    Path script = Paths.get(System.getProperty("sparkssl.home", "."), "deploy/bench/torch_step.py");
    List<String> cmd = new ArrayList<>(List.of(python, script.toString(), "--model", model, "--pairs", String.valueOf(p),
        "--channels", String.valueOf(channels), "--size", String.valueOf(size), "--threads", String.valueOf(threads),
        "--warmup", String.valueOf(warmup), "--steps", String.valueOf(steps)));
    Process proc = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    String stdout = new String(proc.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (proc.waitFor() != 0) {
      throw new IOException("PyTorch peer failed (" + String.join(" ", cmd) + "); is python3-torch installed?");
    }
    return new ObjectMapper().readTree(stdout);
  }
}
