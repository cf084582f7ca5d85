package sparkssl.job;

import java.io.IOException;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import sparkssl.spark.ml.NotAModelException;
import sparkssl.spark.ml.TrainedEncoder;

/** The {@code --model} option of the commands that use a trained model. */
final class ModelOption {
  @Option(names = "--model", required = true, paramLabel = "PATH",
      description = "A train run's model: its model.zip, a checkpoints/epoch-NNNN-XXXXXXXX.zip, or the run directory; any Hadoop path.")
  String path;

  /** The model; a file that is not one of this project's models is bad input (exit 2), found before any Spark job. */
  TrainedEncoder load(SparkSession spark, CommandSpec spec) throws IOException {
    try {
      return TrainedEncoder.read(path, spark.sparkContext().hadoopConfiguration());
    } catch (NotAModelException e) {
      throw new CommandLine.ParameterException(spec.commandLine(), "--model: " + e.getMessage());
    }
  }
}
