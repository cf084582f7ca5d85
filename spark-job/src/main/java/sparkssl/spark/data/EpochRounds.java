package sparkssl.spark.data;

import org.apache.spark.api.java.JavaRDD;
import org.nd4j.linalg.dataset.DataSet;

/**
 * One epoch's training data as averaging rounds: round {@code r} is an RDD of {@code W} partitions
 * whose partition {@code w} yields worker {@code w}'s batches of that round, one per step.
 */
public interface EpochRounds {
  int rounds();

  JavaRDD<DataSet> round(int r);
}
