package sparkssl.spark.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.spark.impl.graph.SparkComputationGraph;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.nativeblas.NativeOpsHolder;
import sparkssl.model.ModelOptions;
import sparkssl.model.SslNetwork;
import sparkssl.spark.outer.PlainAverage;

/**
 * The job's averaging is ideal parameter averaging: three workers in local[2] (so two tasks share a
 * kept network across rounds), two rounds of two Adam steps, against the same rounds done by hand on
 * the driver with fresh copies of the network (parameters, Adam's moments and BN running statistics
 * averaged with equal weights, the global step carried). Parameters and updater state must agree to
 * float rounding.
 */
class IdealAveragingTest {
  private static final int WORKERS = 3;
  private static final int FREQUENCY = 2;
  private static final int ROUNDS = 2;
  private static final int BATCH = 8;
  private static SparkSession spark;

  @BeforeAll
  static void start() {
    spark = SparkSession.builder().master("local[2]").appName("ideal-averaging")
        .config("spark.ui.enabled", "false").getOrCreate();
  }

  @AfterAll
  static void stop() {
    spark.stop();
  }

  @Test
  void roundsEqualAveragingByHand() {
    ModelOptions model = model();
    ComputationGraph init = SslNetwork.create(model);
    init.getUpdater(); // an updater state to copy from the start, as the job's driver network has
    List<DataSet> batches = batches(model);
    ComputationGraph byHand = byHand(init, batches);
    ComputationGraph net = rounds(init, batches, Aggregation.DRIVER);

    assertEquals(ROUNDS * FREQUENCY, net.getIterationCount(), "global step");
    INDArray moved = byHand.params().sub(init.params());
    assertTrue(moved.norm2Number().doubleValue() > 1e-3, "the rounds trained");
    assertClose("parameters", byHand.params(), net.params());
    assertClose("Adam state", byHand.getUpdater().getStateViewArray(), net.getUpdater().getStateViewArray());
  }

  /**
   * Summed in a tree (three workers, groups of two: {0, 1} and {2}, each group's sum made by a task
   * of its own), the rounds are the same averaging to float rounding, and the same to the last bit
   * every time: sums run in worker and group order, whichever task ends first.
   */
  @Test
  void aTreeSumIsTheSameAveragingAndRepeatsExactly() {
    ModelOptions model = model();
    ComputationGraph init = SslNetwork.create(model);
    init.getUpdater();
    List<DataSet> batches = batches(model);
    ComputationGraph byHand = byHand(init, batches);
    ComputationGraph tree = rounds(init, batches, Aggregation.TREE);
    assertEquals(2, Aggregation.groups(WORKERS));
    assertEquals(ROUNDS * FREQUENCY, tree.getIterationCount(), "global step");
    assertClose("parameters", byHand.params(), tree.params());
    assertClose("Adam state", byHand.getUpdater().getStateViewArray(), tree.getUpdater().getStateViewArray());
    ComputationGraph again = rounds(init, batches, Aggregation.TREE);
    assertEquals(tree.params(), again.params(), "bit for bit");
    assertEquals(tree.getUpdater().getStateViewArray(), again.getUpdater().getStateViewArray(), "bit for bit");
  }

  private static ModelOptions model() {
    ModelOptions model = new ModelOptions();
    model.convWidths = new int[] {4, 8, 8};
    model.imageSize = 12;
    model.projectorHidden = 16;
    model.projectionSize = 8;
    model.optimizer.learningRate = 0.01;
    return model;
  }

  /** The rounds done by hand on the driver with fresh copies, as ideal averaging does them. */
  private static ComputationGraph byHand(ComputationGraph init, List<DataSet> batches) {
    ComputationGraph byHand = init.clone();
    onOneThread(() -> {
      for (int r = 0; r < ROUNDS; r++) {
        List<ComputationGraph> trained = new ArrayList<>();
        for (int w = 0; w < WORKERS; w++) {
          ComputationGraph copy = byHand.clone();
          copy.getConfiguration().setIterationCount(byHand.getIterationCount());
          for (int k = 0; k < FREQUENCY; k++) {
            copy.fit(batches.get((r * WORKERS + w) * FREQUENCY + k));
          }
          trained.add(copy);
        }
        byHand.setParams(mean(trained.stream().map(ComputationGraph::params).toList()));
        byHand.getUpdater().getStateViewArray().assign(mean(trained.stream().map(n -> n.getUpdater().getStateViewArray()).toList()));
        byHand.getConfiguration().setIterationCount(byHand.getIterationCount() + FREQUENCY);
      }
    });
    return byHand;
  }

  /** The same rounds run by the job's training master. */
  private static ComputationGraph rounds(ComputationGraph init, List<DataSet> batches, Aggregation aggregation) {
    JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    RoundAveragingMaster master = new RoundAveragingMaster(WORKERS, null, new PlainAverage(), aggregation);
    SparkComputationGraph job = new SparkComputationGraph(sc, init.clone(), master);
    // partition r*W + w holds worker w's batches of round r; parallelize slices the list in order
    job.fit(sc.parallelize(batches, ROUNDS * WORKERS));
    master.release();
    return job.getNetwork();
  }

  /**
   * Runs {@code work} on a thread computing with one OpenMP thread, as the job's local[2] tasks do
   * ({@code spark.task.cpus=1}): the same thread count sums in the same order, so the two sides can agree
   * to the last bit, and Adam's first steps (near sign(g) per element) do not amplify rounding noise.
   */
  private static void onOneThread(Runnable work) {
    Thread t = new Thread(() -> {
      NativeOpsHolder.getInstance().getDeviceNativeOps().setOmpNumThreads(1);
      work.run();
    });
    t.start();
    try {
      t.join();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static List<DataSet> batches(ModelOptions model) {
    Nd4j.getRandom().setSeed(11);
    List<DataSet> out = new ArrayList<>();
    for (int i = 0; i < ROUNDS * WORKERS * FREQUENCY; i++) {
      out.add(new DataSet(Nd4j.rand(DataType.FLOAT, BATCH, model.numViews * model.channels, model.imageSize, model.imageSize),
          Nd4j.zeros(DataType.FLOAT, BATCH, 1)));
    }
    return out;
  }

  private static INDArray mean(List<INDArray> arrays) {
    INDArray sum = arrays.get(0).dup();
    arrays.stream().skip(1).forEach(sum::addi);
    return sum.divi(arrays.size());
  }

  private static void assertClose(String what, INDArray expected, INDArray actual) {
    double distance = expected.distance2(actual.reshape(expected.shape()));
    double scale = expected.norm2Number().doubleValue();
    assertTrue(distance <= 1e-6 * scale, what + ": relative distance " + distance / scale);
  }
}
