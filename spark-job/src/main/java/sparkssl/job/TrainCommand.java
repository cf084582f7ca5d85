package sparkssl.job;

import java.util.concurrent.Callable;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code spark-ssl train}: pretrain an encoder, checkpoint it, evaluate it with k-NN. */
@Command(name = "train", mixinStandardHelpOptions = true, sortOptions = false,
    description = "Pretrain an image encoder with a self-supervised method on Spark. "
        + "Without options: SimCLR on the bundled Fashion-MNIST sample in Spark local mode.")
final class TrainCommand implements Callable<Integer> {
  @Mixin
  JobConfig config = new JobConfig();

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    String problem = config.problem();
    if (problem != null) {
      throw new CommandLine.ParameterException(spec.commandLine(), problem);
    }
    config.resolveDefaults();
    SparkSession spark = SparkSessions.create(config);
    try {
      new PretrainJob(spark, config).run();
      return 0;
    } finally {
      spark.stop();
    }
  }
}
