package sparkssl.spark.corpus;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.element_at;
import static org.apache.spark.sql.functions.split;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Iterator;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.SparkEnv;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.deploy.SparkHadoopUtil$;
import org.apache.spark.executor.InputMetrics;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;

/**
 * Image files below a Hadoop path (file://, hdfs://, s3a://), named by their qualified paths as
 * Spark's binaryFile source names them ({@code file:/data/3/img-00017.png}); a file's key is its path
 * below the folder ({@code 3/img-00017.png}), or its whole path under a glob.
 */
public final class FolderCorpus implements CorpusLayout {
  private static final int EXAMPLES = 5;
  /** Files a read task takes at most: small enough that a cluster's cores share a corpus of any size. */
  private static final int FILES_PER_TASK = 10_000;

  private final String root;
  private final String prefix;

  public FolderCorpus(SparkSession spark, String root) throws IOException {
    this.root = root;
    Path p = new Path(root);
    // a key is what follows the qualified folder
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

  /**
   * Read by tasks, file by file, from a walk on the driver. Spark's binaryFile source keeps a status of
   * every file in the driver's file index and listing cache (more than its 250 MB cap at 200,000
   * files) and ships the statuses in its tasks: measured, the driver's resident memory doubled from
   * 20,000 to 200,000 files. The keys are all the driver holds here, as it does for the run anyway.
   */
  @Override
  public Dataset<Row> images(SparkSession spark) {
    List<String> keys;
    try {
      keys = list(spark).keys();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    int slices = Math.max(sc.defaultParallelism(), (keys.size() + FILES_PER_TASK - 1) / FILES_PER_TASK);
    String folder = prefix;
    return spark.createDataFrame(sc.parallelize(keys, slices).mapPartitions(part -> rows(folder, part)), IMAGE_ROWS);
  }

  /**
   * On an executor, the {@code (path, content, key)} row of each key, a file read as the row is asked
   * for and counted as the task's input, as Spark's file sources count theirs (the UI's Input column).
   */
  private static Iterator<Row> rows(String folder, Iterator<String> keys) {
    Configuration hadoop = SparkHadoopUtil$.MODULE$.get().newConfiguration(SparkEnv.get().conf());
    InputMetrics input = TaskContext.get().taskMetrics().inputMetrics();
    return new Iterator<>() {
      @Override
      public boolean hasNext() {
        return keys.hasNext();
      }

      @Override
      public Row next() {
        String key = keys.next();
        String path = folder == null ? key : folder + key;
        Path p = new Path(path);
        try (InputStream in = p.getFileSystem(hadoop).open(p)) {
          byte[] content = in.readAllBytes();
          input.incBytesRead(content.length);
          input.incRecordsRead(1);
          return RowFactory.create(path, content, key);
        } catch (IOException e) {
          throw new UncheckedIOException("could not read " + path, e);
        }
      }
    };
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
   * Walks the image files, giving each to {@code image}; zero-byte ones, which no decoder could read,
   * are counted instead.
   */
  private LeftOut walk(SparkSession spark, Consumer<FileStatus> image) throws IOException {
    Path p = new Path(root);
    FileSystem fs = p.getFileSystem(spark.sparkContext().hadoopConfiguration());
    long[] empty = {0};
    List<String> examples = new ArrayList<>();
    // qualified, so that a key is what follows the qualified folder
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
