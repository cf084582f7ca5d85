package sparkssl.spark.corpus;

import java.io.IOException;
import java.util.Locale;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.SparkSession;

/** How a corpus is stored; {@link #AUTO} tells from the first data file found under the path. */
public enum CorpusFormat {
  AUTO, FOLDER, PARQUET, WEBDATASET;

  /** The columns a table's images and labels are read from; null to find them by name. */
  public record Columns(String image, String label) {
    public static final String DEFAULT_LABEL = "label";

    public static Columns byName() {
      return new Columns(null, DEFAULT_LABEL);
    }
  }

  /** This format, or for {@link #AUTO} the one detected at {@code root}. */
  public CorpusFormat resolve(Configuration hadoop, String option, String root) throws IOException {
    return this == AUTO ? detect(hadoop, option, root) : this;
  }

  /** The name on the command line and in config.json. */
  public String flag() {
    return name().toLowerCase(Locale.ROOT);
  }

  /**
   * The corpus at {@code root} read as this format ({@link #AUTO}: as detected). Refuses, naming
   * {@code option} and the path, a path that names nothing and one that holds no data of the format.
   */
  public CorpusLayout open(SparkSession spark, String option, String root, Columns columns) throws IOException {
    return switch (resolve(spark.sparkContext().hadoopConfiguration(), option, root)) {
      case FOLDER -> new FolderCorpus(spark, root);
      case PARQUET -> ParquetCorpus.open(spark, option, root, columns);
      case WEBDATASET -> WebDatasetCorpus.open(spark, option, root);
      case AUTO -> throw new IllegalStateException("detect never answers auto");
    };
  }

  /** The format of the first Parquet file, tar file or image found under {@code root}, breadth first. */
  public static CorpusFormat detect(Configuration hadoop, String option, String root) throws IOException {
    Path p = new Path(root);
    var fs = p.getFileSystem(hadoop);
    if (!CorpusFiles.isGlob(root) && !fs.exists(p)) {
      throw new CorpusUnreadable(option + " " + root + " does not exist");
    }
    CorpusFormat[] found = {null};
    boolean[] any = {false};
    CorpusFiles.forEach(fs, p, (FileStatus f) -> {
      any[0] = true;
      found[0] = of(f.getPath().getName());
      return found[0] == null;
    });
    if (found[0] == null) {
      throw new CorpusUnreadable(option + " " + root + (any[0] || !CorpusFiles.isGlob(root)
          ? " holds no PNG or JPEG images (.png, .jpg, .jpeg), Parquet files (.parquet) or tar shards (.tar)"
          : " matches no files"));
    }
    return found[0];
  }

  private static CorpusFormat of(String name) {
    String lower = name.toLowerCase(Locale.ROOT);
    if (lower.endsWith(".parquet")) {
      return PARQUET;
    }
    if (lower.endsWith(".tar")) {
      return WEBDATASET;
    }
    return CorpusFiles.isImage(name) ? FOLDER : null;
  }
}
