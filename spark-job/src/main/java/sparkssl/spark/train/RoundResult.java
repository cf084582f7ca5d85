package sparkssl.spark.train;

import java.io.Serializable;
import org.deeplearning4j.spark.api.TrainingResult;
import org.deeplearning4j.spark.api.stats.SparkTrainingStats;

/**
 * One worker's round: its parameters and updater state after its steps, and what it did.
 * {@code stepLearningRates[i]} is the learning rate the worker's network applied at its {@code i}-th
 * step of the round, read from the network itself; {@code stepMomenta[i]} the teacher's EMA momentum
 * after that step (empty without a teacher). {@code setupSeconds}: from the task's start to its first
 * batch request, taking the round's broadcast model into the worker's network.
 */
record RoundResult(PackedArray params, PackedArray updaterState, PackedArray teacherState, int steps, long images,
    double lossTimesImages, int minBatch, int maxBatch, double setupSeconds, double fitSeconds, double dataSeconds,
    double[] stepLearningRates, double[] stepMomenta)
    implements TrainingResult, Serializable {

  /** The figures alone, for the driver, once the state is summed where it was made. */
  RoundResult withoutState() {
    return new RoundResult(null, null, null, steps, images, lossTimesImages, minBatch, maxBatch, setupSeconds, fitSeconds,
        dataSeconds, stepLearningRates, stepMomenta);
  }

  @Override
  public void setStats(SparkTrainingStats stats) {
    // dl4j-spark's stats objects are not used: the round's figures travel in this record
  }
}
