package sparkssl.job;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.element_at;
import static org.apache.spark.sql.functions.lower;
import static org.apache.spark.sql.functions.split;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocatedFileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RemoteIterator;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/** Image files under a Hadoop path (file://, hdfs://, s3a://), read with Spark's binaryFile source. */
public final class Corpus {
  /** Which files are images, matched against the lower-cased path: .png, .jpg, .jpeg in any case. */
  static final String IMAGE_SUFFIX = "\\.(png|jpe?g)$";
  private static final Pattern IMAGE = Pattern.compile(IMAGE_SUFFIX);
  private static final int EXAMPLES = 5;

  /** How many zero-byte image files there are, and up to five of their paths. */
  public record EmptyFiles(long count, List<String> examples) {}

  private Corpus() {}

  /** {@code (path, content)} for every PNG and JPEG below {@code root}, recursively. */
  public static Dataset<Row> images(SparkSession spark, String root) {
    return spark.read().format("binaryFile")
        .option("recursiveFileLookup", "true")
        .load(root)
        .where(lower(col("path")).rlike(IMAGE_SUFFIX))
        .select(col("path"), col("content"));
  }

  /**
   * The zero-byte PNG and JPEG files below {@code root} that {@link #images} would have read:
   * Spark's binaryFile source drops them before any UDF sees them, so they are counted here. Hidden
   * paths (a name below the root starting with "_" or ".") are left out, as Spark's listing leaves
   * them out.
   */
  public static EmptyFiles emptyImageFiles(SparkSession spark, String root) throws IOException {
    Path rootPath = new Path(root);
    FileSystem fs = rootPath.getFileSystem(spark.sparkContext().hadoopConfiguration());
    String prefix = fs.makeQualified(rootPath).toUri().getPath();
    long count = 0;
    List<String> examples = new ArrayList<>();
    // one recursive listing: on S3A a flat paged LIST, not a walk directory by directory
    RemoteIterator<LocatedFileStatus> files = fs.listFiles(rootPath, true);
    while (files.hasNext()) {
      LocatedFileStatus f = files.next();
      String path = f.getPath().toString();
      if (f.getLen() != 0 || !IMAGE.matcher(path.toLowerCase(Locale.ROOT)).find()
          || hidden(f.getPath().toUri().getPath().substring(prefix.length()))) {
        continue;
      }
      count++;
      if (examples.size() < EXAMPLES) {
        examples.add(path);
      }
    }
    return new EmptyFiles(count, List.copyOf(examples));
  }

  private static boolean hidden(String pathBelowRoot) {
    for (String name : pathBelowRoot.split("/")) {
      if (name.startsWith(".") || (name.startsWith("_") && !name.contains("="))) {
        return true;
      }
    }
    return false;
  }

  /** {@code (path, content, label)}: an image folder whose parent folder name is the class. */
  public static Dataset<Row> labeledImages(SparkSession spark, String root) {
    Dataset<Row> files = images(spark, root);
    return files.withColumn("label", element_at(split(col("path"), "/"), -2));
  }
}
