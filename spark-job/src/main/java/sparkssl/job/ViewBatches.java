package sparkssl.job;

import java.util.Arrays;
import java.util.Iterator;
import java.util.NoSuchElementException;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.sql.Row;
import org.apache.spark.util.CollectionAccumulator;
import org.apache.spark.util.LongAccumulator;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import sparkssl.augment.Normalize;

/**
 * Executor side: rows of {@code (path, views STRUCT<views, error>)} become DL4J minibatches
 * {@code [n, V*C, H, W]} with dummy {@code [n, 1]} labels. The uint8 views turn into floats here,
 * at the last moment. Undecodable files are counted and a few named, never thrown.
 */
final class ViewBatches implements FlatMapFunction<Iterator<Row>, DataSet> {
  private static final long serialVersionUID = 1L;
  private static final int EXAMPLES_PER_PARTITION = 3;

  private final int batchSize;
  private final int numViews;
  private final int channels;
  private final int size;
  private final Normalize normalize;
  private final LongAccumulator good;
  private final LongAccumulator bad;
  private final CollectionAccumulator<String> badExamples;

  ViewBatches(int batchSize, int numViews, int channels, int size, Normalize normalize,
      LongAccumulator good, LongAccumulator bad, CollectionAccumulator<String> badExamples) {
    this.batchSize = batchSize;
    this.numViews = numViews;
    this.channels = channels;
    this.size = size;
    this.normalize = normalize;
    this.good = good;
    this.bad = bad;
    this.badExamples = badExamples;
  }

  /** Lazy: one minibatch is built at a time, so a partition never sits in memory whole. */
  @Override
  public Iterator<DataSet> call(Iterator<Row> rows) {
    return new Iterator<>() {
      private final int example = numViews * channels * size * size;
      private int named;
      private DataSet next = fill();

      @Override
      public boolean hasNext() {
        return next != null;
      }

      @Override
      public DataSet next() {
        if (next == null) {
          throw new NoSuchElementException();
        }
        DataSet current = next;
        next = fill();
        return current;
      }

      private DataSet fill() {
        float[] buf = new float[batchSize * example];
        int n = 0;
        while (n < batchSize && rows.hasNext()) {
          Row row = rows.next();
          Row result = row.getStruct(1);
          if (result.isNullAt(0)) {
            bad.add(1);
            if (named++ < EXAMPLES_PER_PARTITION) {
              badExamples.add(row.getString(0) + " (" + result.getAs("error") + ")");
            }
            continue;
          }
          byte[] views = (byte[]) result.get(0);
          normalize.toFloats(views, 0, buf, n * example, numViews, channels, size * size);
          n++;
        }
        if (n == 0) {
          return null;
        }
        good.add(n);
        float[] data = n == batchSize ? buf : Arrays.copyOf(buf, n * example);
        return new DataSet(
            Nd4j.create(data, new long[] {n, (long) numViews * channels, size, size}, 'c'),
            Nd4j.zeros(DataType.FLOAT, n, 1));
      }
    };
  }
}
