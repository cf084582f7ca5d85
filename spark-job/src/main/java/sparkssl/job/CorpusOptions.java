package sparkssl.job;

import java.io.IOException;
import java.io.Serializable;
import picocli.CommandLine.Option;
import org.apache.spark.sql.SparkSession;
import sparkssl.spark.corpus.CorpusFormat;
import sparkssl.spark.corpus.CorpusLayout;

/** How a command's corpora are stored: the same for its unlabeled corpus and its labeled sets. */
public final class CorpusOptions implements Serializable {
  private static final long serialVersionUID = 1L;

  @Option(names = "--corpus-format", defaultValue = "auto", paramLabel = "auto|folder|parquet|webdataset",
      converter = FormatConverter.class,
      description = "How corpora are stored: image folders, Parquet tables of image bytes, or WebDataset tar shards; auto "
          + "tells from the first file found (default: ${DEFAULT-VALUE}).")
  public CorpusFormat format = CorpusFormat.AUTO;

  @Option(names = "--image-column", paramLabel = "NAME",
      description = "A Parquet corpus's image column (binary, or a struct with a binary 'bytes' field). Default: the only "
          + "binary column named jpg, jpeg, png, webp, image or img, or the only such struct.")
  public String imageColumn;

  @Option(names = "--label-column", paramLabel = "NAME", defaultValue = CorpusFormat.Columns.DEFAULT_LABEL,
      description = "A Parquet evaluation set's class column (default: ${DEFAULT-VALUE}). Folders take the class from the "
          + "parent folder's name, tar shards from each sample's .cls member.")
  public String labelColumn = CorpusFormat.Columns.DEFAULT_LABEL;

  /** The corpus {@code option} names, opened as these options say. */
  public CorpusLayout open(SparkSession spark, String option, String root) throws IOException {
    return format.open(spark, option, root, new CorpusFormat.Columns(imageColumn, labelColumn));
  }

  static final class FormatConverter implements picocli.CommandLine.ITypeConverter<CorpusFormat> {
    @Override
    public CorpusFormat convert(String value) {
      for (CorpusFormat f : CorpusFormat.values()) {
        if (f.flag().equals(value)) {
          return f;
        }
      }
      throw new picocli.CommandLine.TypeConversionException("'" + value + "' is not one of auto, folder, parquet, webdataset");
    }
  }
}
