package sparkssl.spark.corpus;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.stream.StreamSupport;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.SparkEnv;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.deploy.SparkHadoopUtil$;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * WebDataset tar shards (a folder or glob of {@code .tar} files), one Spark partition a shard, read
 * as a stream on the executors (see {@link TarSamples}). A sample's key is its image member's name;
 * its path names the shard too ({@code shard-00003.tar:0/123.png}); its class is its {@code .cls}
 * member. Samples without an image, and shards cut short, are counted and named by {@link #list}.
 */
final class WebDatasetCorpus implements CorpusLayout {
  private static final int EXAMPLES = 5;
  private static final StructType LABELED = IMAGE_ROWS.add(LABEL, DataTypes.StringType, false);

  private final String root;
  private final List<String> shards;

  private WebDatasetCorpus(String root, List<String> shards) {
    this.root = root;
    this.shards = shards;
  }

  /** The shards under {@code root}, each checked to start with a tar header (read on the driver, 512 bytes a shard). */
  static WebDatasetCorpus open(SparkSession spark, String option, String root) throws IOException {
    Configuration hadoop = spark.sparkContext().hadoopConfiguration();
    List<FileStatus> files = CorpusFiles.withSuffix(hadoop, root, ".tar");
    if (files.isEmpty()) {
      throw new CorpusUnreadable(option + " " + root + " holds no tar shards (.tar)");
    }
    List<String> shards = new ArrayList<>();
    for (FileStatus f : files) {
      byte[] header = new byte[512];
      int n;
      try (InputStream in = f.getPath().getFileSystem(hadoop).open(f.getPath())) {
        n = in.readNBytes(header, 0, header.length);
      }
      if (!TarArchiveInputStream.matches(header, n)) {
        throw new CorpusUnreadable(option + " " + root + ": " + f.getPath() + " is not a tar file (no tar header at its start)");
      }
      shards.add(f.getPath().toString());
    }
    return new WebDatasetCorpus(root, List.copyOf(shards));
  }

  @Override
  public CorpusFormat format() {
    return CorpusFormat.WEBDATASET;
  }

  @Override
  public String root() {
    return root;
  }

  @Override
  public Dataset<Row> images(SparkSession spark) {
    return spark.createDataFrame(samples(spark, false), IMAGE_ROWS);
  }

  @Override
  public Dataset<Row> labeledImages(SparkSession spark) {
    return spark.createDataFrame(samples(spark, true), LABELED);
  }

  private JavaRDD<Row> samples(SparkSession spark, boolean labeled) {
    return shardRdd(spark).flatMap(path -> rows(path, labeled));
  }

  /** A shard's rows, read lazily (one sample's bytes at a time), the shard closed when the task ends. */
  private static Iterator<Row> rows(String path, boolean labeled) throws IOException {
    TarSamples samples = open(path, true);
    TaskContext.get().addTaskCompletionListener((TaskContext c) -> {
      try {
        samples.close();
      } catch (IOException e) {
        // the task's result does not depend on the close of a stream it has read
      }
    });
    String name = new Path(path).getName();
    return StreamSupport.stream(Spliterators.spliteratorUnknownSize(samples, Spliterator.ORDERED), false)
        .filter(s -> s.hasImage() && (!labeled || s.label() != null))
        .map(s -> labeled ? RowFactory.create(where(name, s), s.image(), s.key(), s.label())
            : RowFactory.create(where(name, s), s.image(), s.key()))
        .iterator();
  }

  @Override
  public Listing list(SparkSession spark) {
    List<ShardListing> listed = shardRdd(spark).map(path -> {
      List<String> keys = new ArrayList<>();
      List<String> without = new ArrayList<>();
      String name = new Path(path).getName();
      try (TarSamples samples = open(path, false)) {
        samples.forEachRemaining(s -> {
          if (s.hasImage()) {
            keys.add(s.key());
          } else {
            without.add(where(name, s));
          }
        });
        return new ShardListing(path, keys, without, samples.truncation());
      }
    }).collect();
    List<String> keys = new ArrayList<>();
    List<String> examples = new ArrayList<>();
    long count = 0;
    for (ShardListing s : listed) {
      keys.addAll(s.keys());
      count += s.without().size();
      s.without().stream().limit(EXAMPLES - examples.size()).forEach(examples::add);
      if (s.truncation() != null && examples.size() < EXAMPLES) {
        examples.add(s.path() + " " + s.truncation());
      }
    }
    return Listing.of(keys, new LeftOut(count, "LEFT OUT: no PNG or JPEG member, or the shard cut short", List.copyOf(examples)));
  }

  /** A sample's place for messages and embedding tables: its shard's file name and its key. */
  private static String where(String shardName, TarSamples.Sample s) {
    return shardName + ":" + s.key();
  }

  /** What one shard holds, by name. */
  private record ShardListing(String path, List<String> keys, List<String> without, String truncation)
      implements java.io.Serializable {}

  /** Read by the same pass over the shards' member headers as the keys. */
  @Override
  public LeftOut leftOut(SparkSession spark) {
    return list(spark).leftOut();
  }

  @Override
  public List<Sample> first(SparkSession spark, int n) throws IOException {
    List<Sample> first = new ArrayList<>();
    try (TarSamples samples = open(shards.get(0), spark.sparkContext().hadoopConfiguration(), true)) {
      while (samples.hasNext() && first.size() < n) {
        TarSamples.Sample s = samples.next();
        if (s.hasImage()) {
          first.add(new Sample(s.key(), s.image()));
        }
      }
    }
    return first;
  }

  private JavaRDD<String> shardRdd(SparkSession spark) {
    return JavaSparkContext.fromSparkContext(spark.sparkContext()).parallelize(shards, shards.size());
  }

  /** On an executor: its Hadoop configuration is Spark's, with the job's spark.hadoop.* settings. */
  private static TarSamples open(String path, boolean readImages) throws IOException {
    return open(path, SparkHadoopUtil$.MODULE$.get().newConfiguration(SparkEnv.get().conf()), readImages);
  }

  private static TarSamples open(String path, Configuration hadoop, boolean readImages) throws IOException {
    Path p = new Path(path);
    FileSystem fs = p.getFileSystem(hadoop);
    return new TarSamples(fs.open(p), readImages);
  }
}
