package sparkssl.job;

import java.io.IOException;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine;
import sparkssl.spark.corpus.CorpusFiles;
import picocli.CommandLine.Model.CommandSpec;

/** Checks of the paths a command reads, made on the driver before any Spark job: a missing one is bad input (exit 2). */
final class InputPaths {
  private InputPaths() {}

  static void requireExisting(SparkSession spark, CommandSpec spec, String option, String path) throws IOException {
    Path p = new Path(path);
    // a glob names no single path; what it matches is checked when the corpus is opened
    if (!CorpusFiles.isGlob(path) && !p.getFileSystem(spark.sparkContext().hadoopConfiguration()).exists(p)) {
      throw new CommandLine.ParameterException(spec.commandLine(), option + ": " + path + " does not exist");
    }
  }
}
