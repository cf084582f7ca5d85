package sparkssl.job;

import org.apache.spark.SparkContext;
import org.apache.spark.util.DoubleAccumulator;
import org.apache.spark.util.LongAccumulator;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.spark.api.TrainingHook;
import org.nd4j.linalg.dataset.api.DataSet;
import org.nd4j.linalg.dataset.api.MultiDataSet;

/**
 * The epoch's mean training loss over every worker minibatch, weighted by images. dl4j-spark's own
 * score is the last averaging round's only, too noisy to watch a run by.
 */
final class EpochLoss implements TrainingHook {
  private static final long serialVersionUID = 1L;

  private final DoubleAccumulator weightedSum;
  private final LongAccumulator images;

  EpochLoss(SparkContext sc) {
    this.weightedSum = sc.doubleAccumulator("loss x images");
    this.images = sc.longAccumulator("images trained");
  }

  @Override
  public void preUpdate(DataSet minibatch, Model model) {}

  @Override
  public void postUpdate(DataSet minibatch, Model model) {
    long n = minibatch.getFeatures().size(0);
    weightedSum.add(model.score() * n);
    images.add(n);
  }

  @Override
  public void preUpdate(MultiDataSet minibatch, Model model) {}

  @Override
  public void postUpdate(MultiDataSet minibatch, Model model) {
    throw new UnsupportedOperationException("the SSL network trains on DataSets");
  }

  /** The mean since the last call (NaN if nothing trained), and a fresh start for the next epoch. */
  double takeMean() {
    double mean = images.value() == 0 ? Double.NaN : weightedSum.value() / images.value();
    weightedSum.reset();
    images.reset();
    return mean;
  }
}
