package sparkssl.job;

import java.util.List;
import java.util.concurrent.Callable;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import sparkssl.spark.corpus.CorpusLayout;
import sparkssl.spark.corpus.CorpusPacker;
import sparkssl.spark.storage.Secrets;
import sparkssl.spark.storage.StorageProbe;

/** {@code spark-ssl pack}: a corpus rewritten as Parquet or WebDataset shards, a Spark job. */
@Command(name = "pack", mixinStandardHelpOptions = true, sortOptions = false,
    description = "Write a corpus (usually an image folder) as a Parquet table (key, image, label) or as WebDataset tar "
        + "shards, the image bytes as they are, in key order; an image folder's class folders become the label. Read "
        + "back, the shards give every image the key it had in the folder, so a run trains the same way on either.")
final class PackCommand implements Callable<Integer> {
  enum Format { parquet, webdataset }

  @Option(names = "--corpus", required = true, paramLabel = "PATH", description = "The corpus to pack, on any Hadoop path.")
  String corpus;

  @Option(names = "--format", required = true, paramLabel = "parquet|webdataset", description = "The layout to write.")
  Format format;

  @Option(names = "--out", required = true, paramLabel = "PATH", description = "Folder to write, any Hadoop path; refused if it exists.")
  String out;

  @Option(names = "--shard-size", defaultValue = "10000", paramLabel = "N",
      description = "Images per Parquet file or tar shard, about (default: ${DEFAULT-VALUE}).")
  int shardSize;

  @Mixin
  CorpusOptions corpora = new CorpusOptions();

  @Mixin
  SparkOptions sparkOptions = new SparkOptions();

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    if (shardSize < 1) {
      throw new CommandLine.ParameterException(spec.commandLine(), "--shard-size must be >= 1, got " + shardSize);
    }
    SparkSession spark = SparkSessions.create(SparkSessions.probed(sparkOptions, List.of(
        new StorageProbe.Target("--corpus", corpus), new StorageProbe.Target("--out", out))));
    try {
      Path target = new Path(out);
      if (target.getFileSystem(spark.sparkContext().hadoopConfiguration()).exists(target)) {
        throw new CommandLine.ParameterException(spec.commandLine(), "--out: " + out + " exists; choose a new folder");
      }
      CorpusLayout source = corpora.open(spark, "--corpus", corpus);
      spark.sparkContext().setJobDescription("pack: " + corpus);
      CorpusPacker.Result result = format == Format.parquet
          ? CorpusPacker.parquet(spark, source, out, shardSize)
          : CorpusPacker.webDataset(spark, source, out, shardSize);
      spec.commandLine().getOut().printf("packed %d images of %s (%s) into %s: %s, %d shards%n", result.images(),
          Secrets.redactUris(corpus), source.format().flag(), Secrets.redactUris(out), format, result.shards());
      spec.commandLine().getOut().flush();
      return 0;
    } finally {
      spark.stop();
    }
  }
}
