package sparkssl.job;

import picocli.CommandLine.Option;

/**
 * The labeled image folders of the k-NN evaluation, for {@code train} (which extends these) and
 * {@code eval} alike, so that both score an encoder on the same folders by default.
 */
public class EvalSetOptions extends SparkOptions {
  private static final long serialVersionUID = 1L;

  @Option(names = "--eval-train", paramLabel = "PATH",
      description = "Labeled image folder (class = parent folder name) used as the k-NN bank. Default: the bundled sample's train folder.")
  public String evalTrain;

  @Option(names = "--eval-test", paramLabel = "PATH",
      description = "Labeled image folder whose k-NN top-1 is reported. Default: the bundled sample's test folder.")
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
