package sparkssl.job;

import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * The labeled image folders of the k-NN evaluation, for {@code train} (which extends these) and
 * {@code eval} alike, so that both score an encoder on the same folders by default.
 */
public class EvalSetOptions extends SparkOptions {
  private static final long serialVersionUID = 1L;

  @Mixin
  public CorpusOptions corpora = new CorpusOptions();

  @Option(names = "--eval-train", paramLabel = "PATH",
      description = "Labeled images used as the k-NN bank: a folder of class folders, a Parquet table with a label column, "
          + "or tar shards with .cls members. Default: the bundled sample's train folder.")
  public String evalTrain;

  @Option(names = "--eval-test", paramLabel = "PATH",
      description = "Labeled images whose k-NN top-1 is reported, stored as --eval-train is. Default: the bundled sample's test folder.")
  public String evalTest;

  /** Fills the folders left unset with the bundled sample's. */
  void resolveEvalDefaults() {
    if (evalTrain == null) {
      evalTrain = JobConfig.sample("train");
    }
    if (evalTest == null) {
      evalTest = JobConfig.sample("test");
    }
  }
}
