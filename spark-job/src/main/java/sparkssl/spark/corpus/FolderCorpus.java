package sparkssl.spark.corpus;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.element_at;
import static org.apache.spark.sql.functions.lower;
import static org.apache.spark.sql.functions.split;
import static org.apache.spark.sql.functions.when;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * Image files below a Hadoop path (file://, hdfs://, s3a://), read with Spark's binaryFile source; a
 * file's key is its path below the folder ({@code 3/img-00017.png}), or its whole path under a glob.
 */
public final class FolderCorpus implements CorpusLayout {
  private static final int EXAMPLES = 5;

  private final String root;
  private final String prefix;

  public FolderCorpus(SparkSession spark, String root) throws IOException {
    this.root = root;
    Path p = new Path(root);
    // binaryFile reports qualified paths (file:/data/x.png): a key is what follows the qualified folder
    this.prefix = CorpusFiles.isGlob(root) ? null
        : p.getFileSystem(spark.sparkContext().hadoopConfiguration()).makeQualified(p).toString() + "/";
  }

  @Override
  public CorpusFormat format() {
    return CorpusFormat.FOLDER;
  }

  @Override
  public String root() {
    return root;
  }

  @Override
  public Dataset<Row> images(SparkSession spark) {
    Column path = col("path");
    Column key = prefix == null ? path
        : when(path.startsWith(prefix), path.substr(prefix.length() + 1, Integer.MAX_VALUE)).otherwise(path);
    return spark.read().format("binaryFile")
        .option("recursiveFileLookup", "true")
        .load(root)
        .where(lower(path).rlike(CorpusFiles.IMAGE_SUFFIX))
        .select(path.as(PATH), col("content").as(CONTENT), key.as(KEY));
  }

  /** The class of an image is the name of the folder that holds it. */
  @Override
  public Dataset<Row> labeledImages(SparkSession spark) {
    return images(spark).withColumn(LABEL, element_at(split(col(PATH), "/"), -2));
  }

  /** From a walk of plain listings: no Spark job, and on S3 no request per file. */
  @Override
  public Listing list(SparkSession spark) throws IOException {
    List<String> keys = new ArrayList<>();
    LeftOut empty = walk(spark, f -> {
      String path = f.getPath().toString();
      keys.add(prefix != null && path.startsWith(prefix) ? path.substring(prefix.length()) : path);
    });
    return Listing.of(keys, empty);
  }

  @Override
  public LeftOut leftOut(SparkSession spark) throws IOException {
    return walk(spark, f -> {});
  }

  /**
   * Walks the images Spark's binaryFile source reads, giving each to {@code image}; zero-byte ones,
   * which that source drops before any UDF sees them, are counted instead.
   */
  private LeftOut walk(SparkSession spark, Consumer<FileStatus> image) throws IOException {
    Path p = new Path(root);
    FileSystem fs = p.getFileSystem(spark.sparkContext().hadoopConfiguration());
    long[] empty = {0};
    List<String> examples = new ArrayList<>();
    // qualified, as binaryFile names files: a key is what follows the qualified folder
    CorpusFiles.forEach(fs, fs.makeQualified(p), f -> {
      if (!CorpusFiles.isImage(f.getPath().getName())) {
        return true;
      }
      if (f.getLen() > 0) {
        image.accept(f);
      } else if (++empty[0] <= EXAMPLES) {
        examples.add(f.getPath().toString());
      }
      return true;
    });
    return new LeftOut(empty[0], "EMPTY: zero bytes", List.copyOf(examples));
  }

  /** Each file opened by its path: the folder's path and the key. */
  @Override
  public List<byte[]> read(SparkSession spark, Set<String> keys) throws IOException {
    List<byte[]> images = new ArrayList<>();
    FileSystem fs = new Path(root).getFileSystem(spark.sparkContext().hadoopConfiguration());
    for (String key : new TreeSet<>(keys)) {
      try (InputStream in = fs.open(new Path(prefix == null ? key : prefix + key))) {
        images.add(in.readAllBytes());
      }
    }
    return images;
  }

  @Override
  public List<Sample> first(SparkSession spark, int n) throws IOException {
    Path p = new Path(root);
    FileSystem fs = p.getFileSystem(spark.sparkContext().hadoopConfiguration());
    List<Path> files = new ArrayList<>();
    CorpusFiles.forEach(fs, p, f -> {
      if (CorpusFiles.isImage(f.getPath().getName())) {
        files.add(f.getPath());
      }
      return files.size() < n;
    });
    List<Sample> samples = new ArrayList<>();
    for (Path f : files) {
      try (InputStream in = fs.open(f)) {
        samples.add(new Sample(f.getName(), in.readAllBytes()));
      }
    }
    return samples;
  }
}
