package sparkssl.spark.data;

import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.rdd.PartitionPruningRDD;
import org.nd4j.linalg.dataset.DataSet;
import scala.runtime.AbstractFunction1;

/**
 * Rounds cut from one RDD whose partition {@code r*W + w} holds worker {@code w}'s batches of round
 * {@code r}: a round is the job over its {@code W} partitions alone, renumbered {@code 0..W-1}.
 */
public record PartitionRounds(JavaRDD<DataSet> data, int workers) implements EpochRounds {
  @Override
  public int rounds() {
    return (data.getNumPartitions() + workers - 1) / workers;
  }

  @Override
  public JavaRDD<DataSet> round(int r) {
    return PartitionPruningRDD.create(data.rdd(), new InRound(r, workers)).toJavaRDD();
  }

  /** Partition filter of one round; a Scala function because PartitionPruningRDD takes one. */
  private static final class InRound extends AbstractFunction1<Object, Object> implements java.io.Serializable {
    private static final long serialVersionUID = 1L;
    private final int round;
    private final int workers;

    InRound(int round, int workers) {
      this.round = round;
      this.workers = workers;
    }

    @Override
    public Object apply(Object partition) {
      return (Integer) partition / workers == round;
    }
  }
}
