package sparkssl.job;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.element_at;
import static org.apache.spark.sql.functions.lower;
import static org.apache.spark.sql.functions.split;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/** Image files under a Hadoop path (file://, hdfs://, s3a://), read with Spark's binaryFile source. */
public final class Corpus {
  private Corpus() {}

  /** {@code (path, content)} for every PNG and JPEG below {@code root}, recursively. */
  public static Dataset<Row> images(SparkSession spark, String root) {
    return spark.read().format("binaryFile")
        .option("recursiveFileLookup", "true")
        .load(root)
        .where(lower(col("path")).rlike("\\.(png|jpe?g)$"))
        .select(col("path"), col("content"));
  }

  /** {@code (path, content, label)}: an image folder whose parent folder name is the class. */
  public static Dataset<Row> labeledImages(SparkSession spark, String root) {
    Dataset<Row> files = images(spark, root);
    return files.withColumn("label", element_at(split(col("path"), "/"), -2));
  }
}
