package sparkssl.spark.data;

import java.util.Iterator;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.stream.StreamSupport;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Row;
import org.nd4j.linalg.dataset.DataSet;
import scala.Tuple2;

/**
 * One epoch of {@link WorkerShards}: each worker's shard in the epoch's order, cached for the epoch's
 * rounds; round {@code r} of worker {@code w} is its rows {@code [r*F*B, (r+1)*F*B)}, read by a narrow
 * map over the cached partition (no shuffle) and made into views and batches there.
 */
public final class ShardEpoch implements Epoch {
  private final JavaRDD<Tuple2<Integer, Row>> ordered;
  private final long steps;
  private final long dropped;
  private final int batchSize;
  private final int frequency;
  private final ViewBatches batches;

  ShardEpoch(JavaRDD<Tuple2<Integer, Row>> ordered, long steps, long dropped, int batchSize, int frequency, ViewBatches batches) {
    this.ordered = ordered;
    this.steps = steps;
    this.dropped = dropped;
    this.batchSize = batchSize;
    this.frequency = frequency;
    this.batches = batches;
  }

  @Override
  public int rounds() {
    return (int) ((steps + frequency - 1) / frequency);
  }

  @Override
  public JavaRDD<DataSet> round(int r) {
    long from = (long) r * frequency * batchSize;
    long length = (long) frequency * batchSize;
    return ordered.mapPartitions((Iterator<Tuple2<Integer, Row>> rows) -> StreamSupport
            .stream(Spliterators.spliteratorUnknownSize(rows, Spliterator.ORDERED), false)
            .skip(from).limit(length).iterator(), true)
        .mapPartitions(batches);
  }

  @Override
  public long dropped() {
    return dropped;
  }

  /** The epoch's rows with their positions, partition {@code w} worker {@code w}'s in step order. */
  JavaRDD<Tuple2<Integer, Row>> ordered() {
    return ordered;
  }
}
