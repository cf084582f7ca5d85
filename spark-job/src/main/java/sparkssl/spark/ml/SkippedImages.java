package sparkssl.spark.ml;

import java.io.Serializable;
import java.util.List;
import org.apache.spark.SparkContext;
import org.apache.spark.util.CollectionAccumulator;
import org.apache.spark.util.LongAccumulator;
import sparkssl.spark.data.SkippedFile;

/**
 * The images an {@link EncoderModel} could not decode, counted on the executors: all of them, and a
 * few examples with their reasons (at most {@value #EXAMPLES_PER_PARTITION} per partition, so a corpus
 * of broken files cannot fill the driver's memory). As with any Spark accumulator, a task that Spark
 * runs twice may count its files twice.
 */
public final class SkippedImages implements Serializable {
  private static final long serialVersionUID = 1L;
  static final int EXAMPLES_PER_PARTITION = 5;

  private final LongAccumulator count;
  private final CollectionAccumulator<SkippedFile> examples;

  private SkippedImages(LongAccumulator count, CollectionAccumulator<SkippedFile> examples) {
    this.count = count;
    this.examples = examples;
  }

  /** New accumulators, shown under {@code name} in the Spark UI. */
  public static SkippedImages register(SparkContext sc, String name) {
    return new SkippedImages(sc.longAccumulator(name), sc.collectionAccumulator(name + " (examples)"));
  }

  /**
   * Records files the driver found unusable before any task ran (zero-byte files, which Spark's
   * binaryFile source drops unseen): {@code files} of them, {@code examples} among them.
   */
  public void addFound(long files, List<SkippedFile> examples) {
    count.add(files);
    examples.forEach(this.examples::add);
  }

  /** Records one file; {@code nthInPartition} counts from 0 within the task. */
  void add(SkippedFile file, long nthInPartition) {
    count.add(1);
    if (nthInPartition < EXAMPLES_PER_PARTITION) {
      examples.add(file);
    }
  }

  public long count() {
    return count.value();
  }

  /** Up to {@code max} of the skipped files, with their reasons. */
  public List<SkippedFile> examples(int max) {
    List<SkippedFile> all = examples.value();
    return List.copyOf(all.subList(0, Math.min(max, all.size())));
  }
}
