package sparkssl.spark.data;

import java.util.Arrays;
import java.util.Iterator;
import java.util.NoSuchElementException;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.sql.Row;
import org.apache.spark.util.CollectionAccumulator;
import org.apache.spark.util.LongAccumulator;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import scala.Tuple2;
import sparkssl.augment.ImageDecodeException;
import sparkssl.augment.ViewPipeline;

/**
 * Executor side: one partition of the epoch's plan, {@code (position, (path, content, key))} rows in step
 * order, becomes that worker's minibatches {@code [B, V*C, H, W]}, one per step. The loss takes no
 * labels; the {@code [B, 1]} label column holds each example's position in the epoch's plan instead, so
 * what a step trained on can be traced (exact up to 2^24 positions, float's integer range).
 * Views are made here, just before the step that uses them, as the {@code ssl_views} UDF makes them,
 * and turn from uint8 into floats at the last moment. An undecodable file is counted, named (its path
 * goes back to the driver, which leaves it out of later epochs) and makes its step's batch one
 * smaller; it never fails the task.
 */
public final class ViewBatches implements FlatMapFunction<Iterator<Tuple2<Integer, Row>>, DataSet> {
  private static final long serialVersionUID = 1L;

  private final ViewPipeline pipeline;
  private final int epoch;
  private final int batchSize;
  private final int numViews;
  private final LongAccumulator good;
  private final CollectionAccumulator<SkippedFile> bad;

  public ViewBatches(ViewPipeline pipeline, int epoch, int batchSize, int numViews,
      LongAccumulator good, CollectionAccumulator<SkippedFile> bad) {
    this.pipeline = pipeline;
    this.epoch = epoch;
    this.batchSize = batchSize;
    this.numViews = numViews;
    this.good = good;
    this.bad = bad;
  }

  /** Lazy: a batch is built when the worker asks for its next step. */
  @Override
  public Iterator<DataSet> call(Iterator<Tuple2<Integer, Row>> rows) {
    int channels = pipeline.channels();
    int size = pipeline.size();
    int example = numViews * channels * size * size;
    return new Iterator<>() {
      private DataSet next;
      private boolean started;

      /** The first batch too is made when the worker first asks, so its time counts as waiting for data. */
      @Override
      public boolean hasNext() {
        if (!started) {
          next = fill();
          started = true;
        }
        return next != null;
      }

      @Override
      public DataSet next() {
        if (!hasNext()) {
          throw new NoSuchElementException();
        }
        DataSet current = next;
        next = fill();
        return current;
      }

      /** The next step's batch: the next B planned rows, less any that fail to decode (none left: the step after). */
      private DataSet fill() {
        float[] buf = new float[batchSize * example];
        float[] positions = new float[batchSize];
        int planned = 0;
        int n = 0;
        while ((planned < batchSize || n == 0) && rows.hasNext()) {
          if (planned == batchSize) {
            planned = 0;
          }
          Tuple2<Integer, Row> entry = rows.next();
          Row row = entry._2();
          planned++;
          String key = row.getString(2);
          try {
            byte[] views = pipeline.trainingViews((byte[]) row.get(1), key, epoch);
            pipeline.normalize().toFloats(views, 0, buf, n * example, numViews, channels, size * size);
            positions[n] = entry._1();
            n++;
          } catch (ImageDecodeException e) {
            bad.add(new SkippedFile(row.getString(0), key, e.kind() + ": " + e.getMessage()));
          }
        }
        if (n == 0) {
          return null;
        }
        good.add(n);
        float[] data = n == batchSize ? buf : Arrays.copyOf(buf, n * example);
        return new DataSet(
            Nd4j.create(data, new long[] {n, (long) numViews * channels, size, size}, 'c'),
            Nd4j.create(Arrays.copyOf(positions, n), new long[] {n, 1}, 'c'));
      }
    };
  }
}
