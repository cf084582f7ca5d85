package sparkssl.spark.corpus;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import scala.Tuple2;
import sparkssl.spark.data.SkippedFile;

/**
 * A corpus as rows {@code (path, content, key)}: where the image is, for messages and embedding
 * tables; its encoded bytes; and its key, the name that seeds its place in every epoch's order and
 * its views. A key does not depend on where the corpus is stored: an image folder's key is the file's
 * path below the folder, and {@code spark-ssl pack} keeps it, so the same images as a folder, a
 * Parquet table or tar shards train the same way.
 */
public interface CorpusLayout {
  String PATH = "path";
  String CONTENT = "content";
  String KEY = "key";
  String LABEL = "label";
  /** The schema of {@link #images}. */
  StructType IMAGE_ROWS = new StructType()
      .add(PATH, DataTypes.StringType, false).add(CONTENT, DataTypes.BinaryType, false).add(KEY, DataTypes.StringType, false);

  /** folder, parquet or webdataset. */
  CorpusFormat format();

  /** The corpus as the user named it. */
  String root();

  /** {@code (path, content, key)} of every image, the entries {@link #list} leaves out excluded. */
  Dataset<Row> images(SparkSession spark);

  /** {@link #images} with each image's class as a string column {@code label}. */
  Dataset<Row> labeledImages(SparkSession spark);

  /** Every image's key, sorted, and what was left out before any image was decoded. */
  Listing list(SparkSession spark) throws IOException;

  /** What {@link #list} leaves out, without collecting every key where the layout can tell it apart. */
  LeftOut leftOut(SparkSession spark) throws IOException;

  /** Up to {@code n} images from the start of the corpus, read on the driver to check it before training. */
  List<Sample> first(SparkSession spark, int n) throws IOException;

  /**
   * The images of {@code keys}, in key order, for a small fixed sample: a pass over the corpus, unless
   * the layout can read an image by its key.
   */
  default List<byte[]> read(SparkSession spark, Set<String> keys) throws IOException {
    return read(images(spark).javaRDD(), keys);
  }

  /** The images of {@code keys} among {@code (path, content, key)} rows, in key order, by a pass over them. */
  static List<byte[]> read(JavaRDD<Row> rows, Set<String> keys) {
    return rows.filter(row -> keys.contains(row.getString(2)))
        .map(row -> new Tuple2<>(row.getString(2), (byte[]) row.get(1)))
        .collect().stream().sorted(Comparator.comparing((Tuple2<String, byte[]> t) -> t._1()))
        .map(Tuple2::_2).toList();
  }

  /** The keys of a corpus, and the entries left out of it: zero-byte files, rows without bytes, samples without an image. */
  record Listing(List<String> keys, LeftOut leftOut) {
    /** The keys sorted; a key that names two images is refused (each seeds its image's order and views). */
    public static Listing of(List<String> keys, LeftOut leftOut) {
      List<String> sorted = new ArrayList<>(keys);
      Collections.sort(sorted);
      for (int i = 1; i < sorted.size(); i++) {
        if (sorted.get(i).equals(sorted.get(i - 1))) {
          throw new CorpusUnreadable("the key '" + sorted.get(i) + "' names more than one image: every image needs a key of its own");
        }
      }
      return new Listing(List.copyOf(sorted), leftOut);
    }
  }

  /** Entries left out before decoding: how many, why, and up to five of them by name. */
  record LeftOut(long count, String why, List<String> examples) {
    /** The examples as skipped files, with the reason. */
    public List<SkippedFile> skipped() {
      return examples.stream().map(path -> new SkippedFile(path, why)).toList();
    }
  }

  /** One image read for a check: its name and bytes. */
  record Sample(String name, byte[] bytes) {}
}
