package sparkssl.spark.corpus;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.element_at;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.split;
import static org.apache.spark.sql.functions.when;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.List;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.SparkEnv;
import org.apache.spark.deploy.SparkHadoopUtil$;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;

/**
 * Writes a corpus as shards of about {@code shardSize} images, in key order, the image bytes as they
 * are: a Parquet table {@code (key, image, label)} or WebDataset tar shards whose members are named by
 * the keys ({@code 3/img-00017.png}, with {@code 3/img-00017.cls} holding the label; a key without an
 * image extension gets {@code .png} or {@code .jpg}, by the bytes' signature). An image folder's
 * label is the folder that holds the image, when it is not the corpus's own folder. Read back, every
 * layout gives the images the same keys, so they train the same way.
 */
public final class CorpusPacker {
  /** The Parquet table's image column. */
  public static final String IMAGE = "image";

  /** What was written: images and shards. */
  public record Result(long images, int shards) {}

  private CorpusPacker() {}

  public static Result parquet(SparkSession spark, CorpusLayout source, String out, int shardSize) {
    Dataset<Row> rows = rows(spark, source);
    long images = rows.count();
    int shards = shards(images, shardSize);
    rows.repartitionByRange(shards, col(CorpusLayout.KEY)).sortWithinPartitions(CorpusLayout.KEY)
        .write().parquet(out);
    return new Result(images, shards);
  }

  /**
   * Tar shards {@code shard-00000.tar}, ...; each is written under a hidden name and renamed when
   * whole, so a reader never sees half a shard. A key whose file name has a dot before its extension
   * ({@code a.b.png}) is refused: WebDataset would split its sample at the first dot.
   */
  public static Result webDataset(SparkSession spark, CorpusLayout source, String out, int shardSize) {
    Dataset<Row> rows = rows(spark, source);
    List<String> dotted = rows.select(CorpusLayout.KEY).where(col(CorpusLayout.KEY).rlike("[.][^/]*[.][^/]*$"))
        .limit(3).as(org.apache.spark.sql.Encoders.STRING()).collectAsList();
    if (!dotted.isEmpty()) {
      throw new CorpusUnreadable("WebDataset splits a sample's name at its first dot, so these images' names cannot be "
          + "shard members as they are: " + dotted + " (pack them as Parquet, or rename them)");
    }
    long images = rows.count();
    int shards = shards(images, shardSize);
    rows.repartitionByRange(shards, col(CorpusLayout.KEY)).sortWithinPartitions(CorpusLayout.KEY)
        .javaRDD()
        .mapPartitionsWithIndex((Integer shard, Iterator<Row> part) -> {
          writeShard(out, shard, part);
          return List.<Integer>of().iterator();
        }, false)
        .count();
    return new Result(images, shards);
  }

  private static int shards(long images, int shardSize) {
    return (int) Math.max(1, (images + shardSize - 1) / shardSize);
  }

  /** {@code (key, image, label)}: a folder's images labelled by their folder, other layouts unlabelled. */
  private static Dataset<Row> rows(SparkSession spark, CorpusLayout source) {
    Column key = col(CorpusLayout.KEY);
    Column label = source.format() == CorpusFormat.FOLDER
        ? when(key.contains("/"), element_at(split(key, "/"), -2)).otherwise(lit(null).cast(DataTypes.StringType))
        : lit(null).cast(DataTypes.StringType);
    return source.images(spark).select(key, col(CorpusLayout.CONTENT).as(IMAGE), label.as(CorpusLayout.LABEL));
  }

  private static void writeShard(String out, int shard, Iterator<Row> rows) throws IOException {
    Path dir = new Path(out);
    FileSystem fs = dir.getFileSystem(SparkHadoopUtil$.MODULE$.get().newConfiguration(SparkEnv.get().conf()));
    String name = String.format("shard-%05d.tar", shard);
    Path partial = new Path(dir, "." + name + ".partial");
    try (OutputStream stream = fs.create(partial, true); TarArchiveOutputStream tar = new TarArchiveOutputStream(stream)) {
      tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
      while (rows.hasNext()) {
        Row row = rows.next();
        byte[] image = (byte[]) row.get(1);
        // a member is an image by its extension: a key without one (a table's) gets its format's
        String key = CorpusFiles.isImage(row.getString(0)) ? row.getString(0)
            : row.getString(0) + (image.length > 0 && (image[0] & 0xff) == 0x89 ? ".png" : ".jpg");
        member(tar, key, image);
        if (!row.isNullAt(2)) {
          member(tar, key.substring(0, key.lastIndexOf('.')) + ".cls", row.getString(2).getBytes(StandardCharsets.UTF_8));
        }
      }
    }
    Path whole = new Path(dir, name);
    if (!fs.rename(partial, whole)) {
      throw new IOException("could not rename " + partial + " to " + whole);
    }
  }

  private static void member(TarArchiveOutputStream tar, String name, byte[] bytes) throws IOException {
    TarArchiveEntry e = new TarArchiveEntry(name);
    e.setSize(bytes.length);
    tar.putArchiveEntry(e);
    tar.write(bytes);
    tar.closeArchiveEntry();
  }
}
