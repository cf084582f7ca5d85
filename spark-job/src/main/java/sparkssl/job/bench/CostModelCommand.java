package sparkssl.job.bench;

import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.deeplearning4j.nn.graph.ComputationGraph;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import sparkssl.job.SparkOptions;
import sparkssl.job.SparkSessions;
import sparkssl.model.ModelOptions;
import sparkssl.model.SslNetwork;
import sparkssl.model.backbones.Backbones;
import sparkssl.model.method.Methods;
import sparkssl.model.momentum.Teacher;
import sparkssl.spark.cost.ProbedCost;
import sparkssl.spark.cost.RoundCostModel;
import sparkssl.spark.cost.RoundSetting;
import sparkssl.spark.cost.RoundTime;
import sparkssl.spark.outer.PlainAverage;
import sparkssl.spark.train.Aggregation;
import sparkssl.spark.train.ProbeRound;
import sparkssl.spark.train.RoundAveragingMaster;

/**
 * {@code spark-ssl cost-model}: calibrates the averaging-round cost model with probe rounds on a
 * Spark master (the ones {@code --averaging-frequency auto} runs), prints its predicted round time at
 * several frequencies there, and projects the overhead of other backbones on clusters of other sizes
 * and bandwidths.
 */
@Command(name = "cost-model", mixinStandardHelpOptions = true, sortOptions = false,
    description = "Calibrate the averaging-round cost model with probe rounds on a Spark master; predict round times "
        + "there and project them to other backbones, cluster sizes and networks.")
public final class CostModelCommand implements Callable<Integer> {
  @Mixin
  SparkOptions sparkOptions = new SparkOptions();

  @Option(names = "--workers", defaultValue = "0", description = "Workers of the probe rounds; 0 = Spark's default parallelism (default: ${DEFAULT-VALUE}).")
  int workers;

  @Option(names = "--method", defaultValue = "simclr", description = "Method whose network is probed (default: ${DEFAULT-VALUE}).")
  String method;

  @Option(names = "--backbone", defaultValue = "small-cnn", description = "Backbone of the probed network (default: ${DEFAULT-VALUE}).")
  String backbone;

  @Option(names = "--image-size", defaultValue = "28", description = "Side of the probe's images (default: ${DEFAULT-VALUE}).")
  int imageSize;

  @Option(names = "--channels", defaultValue = "1", description = "Channels of the probe's images (default: ${DEFAULT-VALUE}).")
  int channels;

  @Option(names = "--batch-size", defaultValue = "64", description = "Images per worker step (default: ${DEFAULT-VALUE}).")
  int batchSize;

  @Option(names = "--warmup-rounds", defaultValue = "" + ProbedCost.WARMUP_ROUNDS,
      description = "Untimed probe rounds of 2 steps before the 3 timed ones, as many as train's auto runs by default; a cold executor's "
          + "steps stay slower for tens of steps, so a long warm-up predicts a steady epoch (default: ${DEFAULT-VALUE}).")
  int warmupRounds;

  @Option(names = "--frequencies", split = ",", defaultValue = "1,4,16",
      description = "Steps per round to predict on the probed master (default: ${DEFAULT-VALUE}).")
  List<Integer> frequencies;

  @Option(names = "--project", split = ",", paramLabel = "BACKBONE:STEP_S", defaultValue = "resnet18:0.25,resnet50:0.6",
      description = "Backbones to project, each with the seconds of one worker step on the target executors "
          + "(measure it there with benchmark-step) (default: ${DEFAULT-VALUE}).")
  List<String> project;

  @Option(names = "--executors", split = ",", defaultValue = "8,64", description = "Cluster sizes to project (default: ${DEFAULT-VALUE}).")
  List<Integer> executors;

  @Option(names = "--aggregation", defaultValue = "driver", paramLabel = "driver|tree",
      description = "Where the probe rounds sum the workers' states; a tree's latency includes its extra stage (default: ${DEFAULT-VALUE}).")
  String aggregation;

  @Option(names = "--gbps", defaultValue = "10", description = "The driver's network bandwidth in Gbit/s for the projection (default: ${DEFAULT-VALUE}).")
  double gbps;

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    String problem = problem();
    if (problem != null) {
      throw new CommandLine.ParameterException(spec.commandLine(), problem);
    }
    SparkSession spark = SparkSessions.create(SparkSessions.conf(sparkOptions));
    PrintWriter out = spec.commandLine().getOut();
    try {
      JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
      int w = workers > 0 ? workers : sc.defaultParallelism();
      ModelOptions options = options(backbone, imageSize, channels);
      ComputationGraph net = SslNetwork.create(options);
      RoundAveragingMaster master = new RoundAveragingMaster(w, teacher(options, net), new PlainAverage(),
          Aggregation.valueOf(aggregation.toUpperCase(java.util.Locale.ROOT)));
      ProbedCost cost;
      try {
        cost = ProbedCost.measure(sc, master, net, new long[] {batchSize, 2L * channels, imageSize, imageSize}, w, warmupRounds);
      } finally {
        master.release();
      }
      RoundCostModel model = cost.model();
      RoundSetting probed = cost.setting();
      out.printf("calibration on %s, %d workers x %d images, %s/%s at %dx%dx%d:%n", sc.master(), w, batchSize, method, backbone,
          channels, imageSize, imageSize);
      for (ProbeRound p : cost.probes()) {
        out.printf("  probe round of %d steps: %.3f s wall, %.3f s a step, %.3f s overhead%n", p.steps(), p.wallSeconds(),
            p.stepSeconds(), p.overheadSeconds());
      }
      out.printf("  state %.2f MB a worker; step %.3f s; Spark latency L %.3f s a round; Java serialisation %.0f MB/s; adds %.0f MB/s%n",
          probed.stateBytes() / 1e6, probed.stepSeconds(), model.latencySeconds(), model.serializeBytesPerSecond() / 1e6,
          model.averageBytesPerSecond() / 1e6);
      out.printf("predicted rounds on %s:%n%6s %9s %11s %14s%n", sc.master(), "steps", "round s", "overhead s", "communication");
      for (int k : frequencies) {
        RoundTime t = model.predict(probed, k);
        out.printf("%6d %9.3f %11.3f %13.1f%%%n", k, t.total(), t.overhead(), 100 * t.communicationShare());
      }
      out.printf("  auto would average every %d steps%n", model.smallestFrequency(probed, RoundCostModel.AUTO_COMMUNICATION_SHARE,
          Integer.MAX_VALUE));
      printProjection(out, model);
      out.flush();
      return 0;
    } finally {
      spark.stop();
    }
  }

  private void printProjection(PrintWriter out, RoundCostModel model) {
    out.printf("projection: %s, batch %d, image 3x224x224 for resnet18/resnet50, %.0f Gbit/s, the latency measured above:%n",
        method, batchSize, gbps);
    out.printf("%-10s %9s %8s %10s %11s %11s %9s %13s %12s %16s%n", "backbone", "executors", "state MB", "step s",
        "overhead s", "transfer s", "auto k", "comm. at k=1", "comm. at k=4", "tree overhead s");
    for (String p : project) {
      String[] parts = p.split(":");
      int size = parts[0].startsWith("resnet") && !parts[0].endsWith("cifar") ? 224 : imageSize;
      int c = size == 224 ? 3 : channels;
      ModelOptions options = options(parts[0], size, c);
      ComputationGraph net = SslNetwork.create(options);
      long state = RoundAveragingMaster.stateBytes(net, teacher(options, net));
      double step = Double.parseDouble(parts[1]);
      for (int e : executors) {
        RoundSetting r = new RoundSetting(e, state, step, gbps * 1e9 / 8, false);
        RoundTime t1 = model.predict(r, 1);
        out.printf("%-10s %9d %8.1f %10.3f %11.2f %11.2f %9d %12.1f%% %11.1f%% %16.2f%n", parts[0], e, state / 1e6, step,
            t1.overhead(), t1.transfer(), model.smallestFrequency(r, RoundCostModel.AUTO_COMMUNICATION_SHARE, Integer.MAX_VALUE),
            100 * t1.communicationShare(), 100 * model.predict(r, 4).communicationShare(),
            model.predict(r.withAggregation(Aggregation.TREE), 1).overhead());
      }
    }
  }

  private ModelOptions options(String body, int size, int c) {
    ModelOptions o = new ModelOptions();
    o.method = method;
    o.backbone = body;
    o.convWidths = Backbones.convWidths(body, null);
    o.imageSize = size;
    o.channels = c;
    return o;
  }

  private static Teacher teacher(ModelOptions options, ComputationGraph net) {
    return Methods.get(options.method).teacher(options.methodOptions, options.optimizer.totalSteps)
        .map(settings -> Teacher.of(net, settings)).orElse(null);
  }

  private String problem() {
    try {
      Methods.get(method);
      if (!aggregation.equals("driver") && !aggregation.equals("tree")) return "--aggregation: '" + aggregation + "' is not driver or tree";
      String size = Backbones.imageSizeProblem(backbone, imageSize);
      if (size != null) return "--backbone: " + size;
      for (String p : project) {
        String[] parts = p.split(":");
        if (parts.length != 2) return "--project: '" + p + "' is not BACKBONE:STEP_SECONDS";
        Backbones.get(parts[0]);
        if (!(Double.parseDouble(parts[1]) > 0)) return "--project: step seconds must be > 0 in '" + p + "'";
      }
    } catch (NumberFormatException e) {
      return "--project: step seconds must be a number: " + e.getMessage();
    } catch (IllegalArgumentException e) {
      return e.getMessage();
    }
    if (warmupRounds < 0) return "--warmup-rounds must be >= 0, got " + warmupRounds;
    if (workers < 0 || batchSize < 2 || channels < 1) return "--workers must be >= 0, --batch-size >= 2, --channels >= 1";
    if (frequencies.stream().anyMatch(k -> k < 1)) return "--frequencies must all be >= 1";
    if (executors.stream().anyMatch(e -> e < 1)) return "--executors must all be >= 1";
    if (!(gbps > 0)) return "--gbps must be > 0, got " + gbps;
    return null;
  }

}
