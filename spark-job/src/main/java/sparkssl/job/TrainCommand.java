package sparkssl.job;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.util.concurrent.Callable;
import org.apache.spark.SparkConf;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code spark-ssl train}: pretrain an encoder, checkpoint it, evaluate it with k-NN. */
@Command(name = "train", mixinStandardHelpOptions = true, sortOptions = false,
    description = "Pretrain an image encoder with a self-supervised method on Spark. "
        + "Without options: SimCLR on the bundled Fashion-MNIST sample in Spark local mode.")
public final class TrainCommand implements Callable<Integer> {
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
    train(config);
    return 0;
  }

  /** Checks the inputs, then runs the job in a Spark session of its own; returns the last metrics record. */
  public static JsonNode train(JobConfig config) throws IOException {
    // the probe first: with the run's own (patient) S3 settings, a dead endpoint or a rejected key would
    // keep the input checks retrying for minutes
    SparkConf conf = SparkSessions.probed(config, config.storageTargets());
    new InputChecks(config, SparkSessions.hadoopConfiguration(conf)).run();
    SparkSession spark = SparkSessions.create(conf);
    try {
      return new PretrainJob(spark, config).run();
    } finally {
      spark.stop();
    }
  }
}
