package sparkssl.job;

import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import sparkssl.spark.storage.StorageProbe;
import sparkssl.spark.eval.KnnEvaluation;
import sparkssl.spark.ml.TrainedEncoder;

/** {@code spark-ssl eval}: the k-NN top-1 of a saved model, for one setting or a sweep. */
@Command(name = "eval", mixinStandardHelpOptions = true, sortOptions = false,
    description = "k-NN top-1 of a trained model on labeled image folders, computed as train computes it; "
        + "lists of k and T print a sweep table.")
final class EvalCommand implements Callable<Integer> {
  @Mixin
  ModelOption model = new ModelOption();

  @Mixin
  EvalSetOptions sets = new EvalSetOptions();

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
      spark.sparkContext().setJobDescription("eval: k-NN of " + model.path);
      KnnEvaluation.Sweep sweep = new KnnEvaluation(sets.corpora.open(spark, "--eval-train", sets.evalTrain).labeledImages(spark),
          sets.corpora.open(spark, "--eval-test", sets.evalTest).labeledImages(spark)).sweep(encoder, ks, temperatures);
      print(spec.commandLine().getOut(), encoder, sweep);
      return 0;
    } finally {
      spark.stop();
    }
  }

  private void print(PrintWriter out, TrainedEncoder encoder, KnnEvaluation.Sweep sweep) {
    out.printf("k-NN top-1 of %s (embedding dimension %d)%n", model.path, encoder.dimension());
    out.printf("bank    %s: %d images in %d classes%n", sets.evalTrain, sweep.bankImages(), sweep.classes());
    out.printf("queries %s: %d images%n", sets.evalTest, sweep.queries());
    out.printf("%5s  %11s  %-20s  %8s  %s%n", "k", "temperature", "top1", "percent", "correct");
    for (KnnEvaluation.Score s : sweep.scores()) {
      out.printf("%5d  %11s  %-20s  %7.2f%%  %d/%d%n", s.k(), s.temperature(), s.top1(), 100 * s.top1(), s.correct(), s.queries());
    }
    out.flush();
  }
}
