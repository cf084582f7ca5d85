package sparkssl.job;

import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import sparkssl.spark.storage.StorageProbe;
import sparkssl.spark.corpus.CorpusLayout;
import sparkssl.spark.data.SkippedFile;
import sparkssl.spark.ml.EmbeddingExport;
import sparkssl.spark.ml.EncoderModel;
import sparkssl.spark.ml.SkippedImages;
import sparkssl.spark.ml.TrainedEncoder;

/** {@code spark-ssl embed}: every decodable image of a corpus with its embedding, as Parquet. */
@Command(name = "embed", mixinStandardHelpOptions = true, sortOptions = false,
    description = "Write the embedding of every decodable image under a corpus as a Parquet table "
        + "(path string, embedding array<float>), with a trained model.")
final class EmbedCommand implements Callable<Integer> {
  private static final Logger LOG = LoggerFactory.getLogger(EmbedCommand.class);

  @Mixin
  ModelOption model = new ModelOption();

  @Option(names = "--corpus", required = true, paramLabel = "PATH",
      description = "Images to embed (PNG/JPEG) on any Hadoop path: a folder (recursive), a Parquet table or tar shards.")
  String corpus;

  @Mixin
  CorpusOptions corpora = new CorpusOptions();

  @Option(names = "--out", required = true, paramLabel = "PATH",
      description = "Parquet folder to write, any Hadoop path; refused if it exists, unless --overwrite.")
  String out;

  @Option(names = "--partitions", defaultValue = "0",
      description = "Parquet files to write; 0 = Spark's default parallelism (default: ${DEFAULT-VALUE}).")
  int partitions;

  @Option(names = "--overwrite", description = "Replace an existing --out, once the new table is complete.")
  boolean overwrite;

  @Mixin
  SparkOptions sparkOptions = new SparkOptions();

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    if (partitions < 0) {
      throw new CommandLine.ParameterException(spec.commandLine(), "--partitions must be >= 0, got " + partitions);
    }
    SparkSession spark = SparkSessions.create(SparkSessions.probed(sparkOptions, List.of(
        new StorageProbe.Target("--model", model.path), new StorageProbe.Target("--corpus", corpus),
        new StorageProbe.Target("--out", out))));
    try {
      TrainedEncoder encoder = model.load(spark, spec);
      InputPaths.requireExisting(spark, spec, "--corpus", corpus);
      Path target = new Path(out);
      if (!overwrite && target.getFileSystem(spark.sparkContext().hadoopConfiguration()).exists(target)) {
        throw new CommandLine.ParameterException(spec.commandLine(), "--out: " + out + " exists; add --overwrite to replace it");
      }
      spark.sparkContext().setJobDescription("embed: " + corpus);
      SkippedImages skipped = SkippedImages.register(spark.sparkContext(), "embed: skipped files");
      CorpusLayout layout = corpora.open(spark, "--corpus", corpus);
      CorpusLayout.LeftOut empty = layout.leftOut(spark);
      skipped.addFound(empty.count(), empty.skipped());
      int files = partitions > 0 ? partitions : spark.sparkContext().defaultParallelism();
      EmbeddingExport.Result result = EmbeddingExport.write(new EncoderModel(encoder), layout.images(spark), skipped, out,
          files, overwrite);
      report(spec.commandLine().getOut(), encoder, result);
      return 0;
    } finally {
      spark.stop();
    }
  }

  private void report(PrintWriter console, TrainedEncoder encoder, EmbeddingExport.Result result) {
    long skipped = result.skipped();
    List<SkippedFile> shown = result.examples();
    if (skipped > 0) {
      LOG.warn("skipped {} files that are not decodable images, e.g. {}", skipped, shown);
    }
    console.printf("embedded %d images of %s into %s: Parquet, %d files, columns path (string) and embedding (array<float> of %d)%n",
        result.images(), corpus, out, result.files(), encoder.dimension());
    console.printf("skipped %d files that are not decodable images%s%n", skipped, skipped > 0 ? ", e.g. " + shown : "");
    console.flush();
  }
}
