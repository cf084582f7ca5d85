package sparkssl.job;

import org.apache.spark.SparkContext;
import org.apache.spark.util.LongAccumulator;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.spark.api.TrainingHook;
import org.nd4j.linalg.dataset.api.DataSet;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import sparkssl.model.FastPath;

/**
 * Counts, on the workers themselves, the training steps that ran on DL4J's oneDNN fast path and
 * those that did not, so the driver can tell (and the metrics show) what the executors really ran.
 */
final class FastPathProbe implements TrainingHook {
  private static final long serialVersionUID = 1L;

  private final LongAccumulator fast;
  private final LongAccumulator slow;

  FastPathProbe(SparkContext sc) {
    this.fast = sc.longAccumulator("steps on the oneDNN fast path");
    this.slow = sc.longAccumulator("steps off the fast path");
  }

  @Override
  public void preUpdate(DataSet minibatch, Model model) {
    boolean active = model instanceof MultiLayerNetwork net && FastPath.status(net).active();
    (active ? fast : slow).add(1);
  }

  @Override
  public void postUpdate(DataSet minibatch, Model model) {}

  @Override
  public void preUpdate(MultiDataSet minibatch, Model model) {}

  @Override
  public void postUpdate(MultiDataSet minibatch, Model model) {}

  /** {fast, slow} step counts since the last call. */
  long[] take() {
    long[] counts = {fast.value(), slow.value()};
    fast.reset();
    slow.reset();
    return counts;
  }
}
