package sparkssl.spark.ml;

import static org.apache.spark.ml.functions.vector_to_array;
import static org.apache.spark.sql.functions.col;

import java.io.IOException;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.util.HadoopInputFile;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import sparkssl.spark.data.SkippedFile;

/**
 * A corpus's embeddings as a Parquet table: one row per decodable image, {@code path} (string) and
 * {@code embedding} ({@code array<float>}), computed by an {@link EncoderModel} and published whole
 * ({@link OutputFolder}). The table stores floats, the network's own values, rather than Spark ML's
 * vector type: half the bytes of the vector's doubles, and a plain list column that pandas, PyArrow or
 * DuckDB read as it is; {@code array_to_vector} turns it back into a vector in Spark.
 */
public final class EmbeddingExport {
  /** What was written: images embedded, files skipped (with a few examples), Parquet files. */
  public record Result(long images, long skipped, List<SkippedFile> examples, int files) {}

  private static final int EXAMPLES = 5;

  private EmbeddingExport() {}

  /**
   * Embeds {@code images} ({@code path, content} rows) into {@code partitions} Parquet files at
   * {@code out}, replacing an existing folder only if {@code overwrite}; the undecodable ones are added
   * to {@code skipped}, which may hold files found before. A corpus without a single decodable image
   * fails and publishes nothing.
   */
  public static Result write(EncoderModel model, Dataset<Row> images, SkippedImages skipped, String out, int partitions,
      boolean overwrite) throws IOException {
    SparkSession spark = images.sparkSession();
    EncoderModel skipping = model.copy(new ParamMap()).setHandleInvalid("skip");
    Dataset<Row> table = skipping.transformRecordingSkipped(images.select("path", skipping.getInputCol()), skipped)
        .select(col("path"), vector_to_array(col(skipping.getOutputCol()), "float32").as("embedding"));
    Configuration hadoopConf = spark.sparkContext().hadoopConfiguration();
    long[] written = {0};
    new OutputFolder(out, hadoopConf).publish(overwrite, staging -> {
      table.repartition(partitions).write().parquet(staging);
      written[0] = rows(new Path(staging), hadoopConf);
      if (written[0] == 0) {
        throw new IllegalStateException("no decodable PNG/JPEG images: " + skipped.count() + " files skipped, e.g. "
            + skipped.examples(EXAMPLES) + "; nothing written to " + out);
      }
    });
    return new Result(written[0], skipped.count(), skipped.examples(EXAMPLES), partitions);
  }

  /** Rows of a Parquet folder, from its files' footers (Spark's readers would skip the hidden staging folder). */
  private static long rows(Path folder, Configuration hadoopConf) throws IOException {
    long rows = 0;
    for (FileStatus file : folder.getFileSystem(hadoopConf).listStatus(folder, p -> p.getName().endsWith(".parquet"))) {
      try (ParquetFileReader reader = ParquetFileReader.open(HadoopInputFile.fromStatus(file, hadoopConf))) {
        rows += reader.getRecordCount();
      }
    }
    return rows;
  }
}
