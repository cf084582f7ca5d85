package sparkssl.spark.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.spark.impl.graph.SparkComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import sparkssl.spark.corpus.FolderCorpus;
import sparkssl.augment.ViewOptions;
import sparkssl.augment.ViewPipeline;
import sparkssl.model.ModelOptions;
import sparkssl.model.SslNetwork;
import sparkssl.model.method.Methods;
import sparkssl.model.momentum.Teacher;
import sparkssl.model.momentum.TeacherSettings;
import sparkssl.spark.data.EpochPlan;
import sparkssl.spark.data.ShuffledEpoch;

/**
 * BYOL through parameter averaging in local mode (2 workers, 3 steps per round, 2 epochs): the
 * momentum the workers' teachers applied at every step, recorded on the executors, is the schedule's
 * value at that global step, across rounds and epochs; the averaged teacher moved off its start and
 * is not the student.
 */
class TeacherRoundsTest {
  private static final Path SAMPLE = Paths.get("..", "data", "sample", "fashion-mnist", "train").toAbsolutePath().normalize();
  private static final int WORKERS = 2;
  private static final int BATCH = 16;
  private static final int FREQUENCY = 3;
  private static final int EPOCHS = 2;

  @Test
  void teacherMomentumFollowsItsScheduleAcrossRounds() throws Exception {
    SparkSession spark = SparkSession.builder().master("local[" + WORKERS + "]").appName("teacher-rounds")
        .config("spark.ui.enabled", "false").getOrCreate();
    try {
      JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
      FolderCorpus folder = new FolderCorpus(spark, SAMPLE.resolve("bag").toUri().toString());
      Dataset<Row> corpus = folder.images(spark);
      List<String> paths = folder.list(spark).keys();
      long stepsPerEpoch = EpochPlan.stepsPerEpoch(paths.size(), WORKERS, BATCH);

      ModelOptions model = new ModelOptions();
      model.method = "byol";
      model.convWidths = new int[] {4, 8, 8};
      model.projectorHidden = 16;
      model.projectionSize = 8;
      model.optimizer.learningRate = 0.01;
      model.optimizer.totalSteps = EPOCHS * stepsPerEpoch;
      ComputationGraph student = SslNetwork.create(model);
      TeacherSettings settings = Methods.get("byol").teacher(model.methodOptions, model.optimizer.totalSteps).orElseThrow();
      Teacher teacher = Teacher.of(student, settings);
      INDArray start = teacher.state();
      RoundAveragingMaster master = new RoundAveragingMaster(WORKERS, teacher);
      SparkComputationGraph net = new SparkComputationGraph(sc, student, master);
      ViewPipeline pipeline = new ViewPipeline(new ViewOptions());

      List<Double> applied = new ArrayList<>();
      List<Double> expected = new ArrayList<>();
      long globalStep = 0;
      for (int epoch = 1; epoch <= EPOCHS; epoch++) {
        net.fit(ShuffledEpoch.of(sc, corpus.javaRDD(), paths, 7, epoch, WORKERS, BATCH, FREQUENCY, pipeline, 2,
            sc.sc().longAccumulator(), sc.sc().collectionAccumulator()).rdd());
        EpochStats stats = master.takeEpoch(BATCH);
        assertTrue(Double.isFinite(stats.meanLoss()), "loss " + stats.meanLoss());
        for (EpochStats.Round round : stats.rounds()) {
          for (double m : round.momenta()) {
            applied.add(m);
            expected.add(settings.momentumAt(globalStep++));
          }
        }
      }
      master.release();

      assertEquals(EPOCHS * stepsPerEpoch, applied.size(), "one momentum per global step");
      for (int k = 0; k < applied.size(); k++) {
        assertEquals(expected.get(k), applied.get(k), 1e-12, "momentum at global step " + k);
      }
      assertTrue(applied.get(0) < applied.get(applied.size() - 1), "momentum rises: " + applied);
      INDArray params = net.getNetwork().params();
      INDArray teacherParams = teacher.state();
      assertTrue(teacherParams.distance2(start) > 0, "the averaged teacher moved");
      assertTrue(teacherParams.distance2(params.reshape(1, params.length())) > 0, "the teacher is not the student");
    } finally {
      spark.stop();
    }
  }
}
