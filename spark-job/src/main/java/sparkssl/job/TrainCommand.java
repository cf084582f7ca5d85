package sparkssl.job;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.util.concurrent.Callable;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.SparkConf;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import sparkssl.spark.storage.StorageProbe;

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
    train(config);
    return 0;
  }

  /** Checks the inputs, then runs the job in a Spark session of its own; returns the last metrics record. */
  static JsonNode train(JobConfig config) throws IOException {
    SparkConf conf = SparkSessions.conf(config);
    Configuration hadoop = SparkSessions.hadoopConfiguration(conf);
    // first, on a client that gives up in seconds: a dead S3 endpoint or a rejected key would keep the
    // input checks below, which use the run's own (patient) settings, retrying for minutes
    StorageProbe.check(hadoop, config.storageTargets());
    new InputChecks(config, hadoop).run();
    SparkSession spark = SparkSessions.create(conf);
    try {
      return new PretrainJob(spark, config).run();
    } finally {
      spark.stop();
    }
  }
}
