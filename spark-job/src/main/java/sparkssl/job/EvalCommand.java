package sparkssl.job;

import java.io.PrintWriter;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import sparkssl.spark.corpus.CorpusFormat;
import sparkssl.spark.eval.KnnEvaluation;
import sparkssl.spark.eval.LabeledFeatures;
import sparkssl.spark.eval.LinearProbe;
import sparkssl.spark.eval.Protocol;
import sparkssl.spark.ml.TrainedEncoder;
import sparkssl.spark.storage.StorageProbe;

/**
 * {@code spark-ssl eval}: a saved model's top-1 by each protocol, beside the same encoder's at random
 * init and the raw pixels'; k-NN for one setting or a sweep.
 */
@Command(name = "eval", mixinStandardHelpOptions = true, sortOptions = false,
    description = "Top-1 of a trained model on labeled image folders, computed as train computes it, beside the same "
        + "encoder at random init and the raw pixels it is fed; lists of k and T print a k-NN sweep table.")
final class EvalCommand implements Callable<Integer> {
  @Mixin
  ModelOption model = new ModelOption();

  @Mixin
  EvalSetOptions sets = new EvalSetOptions();

  @Option(names = "--protocol", split = ",", paramLabel = "knn|linear[,...]", defaultValue = Protocol.DEFAULT,
      converter = ProtocolConverter.class, description = ProtocolConverter.HELP + " (default: ${DEFAULT-VALUE}).")
  Set<Protocol> protocols;

  @Option(names = "--knn-k", split = ",", paramLabel = "K[,K...]", defaultValue = KnnEvaluation.DEFAULT_K,
      description = "Neighbours in the vote; a comma list sweeps (default: ${DEFAULT-VALUE}).")
  List<Integer> ks;

  @Option(names = "--knn-temperature", split = ",", paramLabel = "T[,T...]", defaultValue = KnnEvaluation.DEFAULT_TEMPERATURE,
      description = "Vote weight exp(similarity / T); a comma list sweeps (default: ${DEFAULT-VALUE}).")
  List<Double> temperatures;

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    for (int k : ks) {
      if (k < 1) throw new CommandLine.ParameterException(spec.commandLine(), "--knn-k values must be >= 1, got " + k);
    }
    for (double t : temperatures) {
      if (!(t > 0) || Double.isInfinite(t)) {
        throw new CommandLine.ParameterException(spec.commandLine(), "--knn-temperature values must be > 0, got " + t);
      }
    }
    sets.resolveEvalDefaults();
    SparkSession spark = SparkSessions.create(SparkSessions.probed(sets, List.of(new StorageProbe.Target("--model", model.path),
        new StorageProbe.Target("--eval-train", sets.evalTrain), new StorageProbe.Target("--eval-test", sets.evalTest))));
    try {
      TrainedEncoder encoder = model.load(spark, spec);
      InputPaths.requireExisting(spark, spec, "--eval-train", sets.evalTrain);
      InputPaths.requireExisting(spark, spec, "--eval-test", sets.evalTest);
      if (sets.corpora.format.resolve(spark.sparkContext().hadoopConfiguration(), "--eval-train", sets.evalTrain)
          == CorpusFormat.FOLDER) {
        LabeledFolder.list("--eval-train", sets.evalTrain, spark.sparkContext().hadoopConfiguration()).checkBank(protocols);
      }
      spark.sparkContext().setJobDescription("eval: " + protocols + " of " + model.path);
      Dataset<Row> bank = sets.corpora.open(spark, "--eval-train", sets.evalTrain).labeledImages(spark);
      Dataset<Row> queries = sets.corpora.open(spark, "--eval-test", sets.evalTest).labeledImages(spark);
      LabeledFeatures embedded = LabeledFeatures.embedded(encoder, bank, queries);
      LabeledFeatures randomInit = LabeledFeatures.embedded(encoder.atInitialisation(), bank, queries);
      LabeledFeatures pixels = LabeledFeatures.pixels(encoder.input(), bank, queries);
      PrintWriter out = spec.commandLine().getOut();
      out.printf("top-1 of %s (embedding dimension %d), beside the same encoder at random init and the raw pixels it is fed "
          + "(%d values)%n", model.path, encoder.dimension(), pixels.bank().dimension());
      out.printf("bank    %s: %d images in %d classes%n", sets.evalTrain, embedded.bank().size(), embedded.classes().size());
      out.printf("queries %s: %d images%n", sets.evalTest, embedded.queries().size());
      if (protocols.contains(Protocol.KNN)) {
        printKnn(out, KnnEvaluation.sweep(embedded, ks, temperatures), KnnEvaluation.sweep(randomInit, ks, temperatures),
            KnnEvaluation.sweep(pixels.centred(), ks, temperatures));
      }
      if (protocols.contains(Protocol.LINEAR)) {
        LinearProbe probe = new LinearProbe(spark);
        out.printf("linear probe (reg_param: the best on a held-out 10%% of the bank)%n%-11s  %-20s  %8s  %-9s  %-9s  %s%n",
            "features", "top1", "percent", "correct", "reg_param", "held-out top-1 by reg_param");
        printLinear(out, "trained", probe.fit(embedded));
        printLinear(out, "random-init", probe.fit(randomInit));
        printLinear(out, "pixels", probe.fit(pixels));
      }
      out.flush();
      return 0;
    } finally {
      spark.stop();
    }
  }

  private static void printKnn(PrintWriter out, KnnEvaluation.Sweep sweep, KnnEvaluation.Sweep randomInit,
      KnnEvaluation.Sweep pixels) {
    out.printf("k-NN%n%5s  %11s  %-20s  %8s  %-9s  %11s  %s%n", "k", "temperature", "top1", "percent", "correct", "random-init",
        "pixels");
    for (int i = 0; i < sweep.scores().size(); i++) {
      KnnEvaluation.Score s = sweep.scores().get(i);
      out.printf("%5d  %11s  %-20s  %7.2f%%  %-9s  %10.2f%%  %.2f%%%n", s.k(), s.temperature(), s.top1(), 100 * s.top1(),
          s.correct() + "/" + s.queries(), 100 * randomInit.scores().get(i).top1(), 100 * pixels.scores().get(i).top1());
    }
  }

  private static void printLinear(PrintWriter out, String features, LinearProbe.Result r) {
    out.printf("%-11s  %-20s  %7.2f%%  %-9s  %-9s  %s%n", features, r.top1(), 100 * r.top1(), r.correct() + "/" + r.queries(),
        LinearProbe.format(r.regParam()), r.heldOutTop1().entrySet().stream()
            .map(e -> LinearProbe.format(e.getKey()) + ": " + String.format("%.2f%%", 100 * e.getValue()))
            .collect(Collectors.joining(", ")));
  }
}
