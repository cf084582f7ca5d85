package sparkssl.spark.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.util.CollectionAccumulator;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.spark.api.TrainingHook;
import org.deeplearning4j.spark.impl.graph.SparkComputationGraph;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.dataset.api.DataSet;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import sparkssl.spark.corpus.FolderCorpus;
import sparkssl.augment.ViewOptions;
import sparkssl.augment.ViewPipeline;
import sparkssl.model.ModelOptions;
import sparkssl.model.SslHead;
import sparkssl.model.SslNetwork;
import sparkssl.model.optim.OptimizerOptions;
import sparkssl.spark.data.EpochPlan;
import sparkssl.spark.data.ShuffledEpoch;
import sparkssl.spark.data.SizeSortedCorpus;

/**
 * Trains two epochs in local mode with 2 workers on a {@link SizeSortedCorpus}, recording on the
 * executors, for every step, what the loss saw and the learning rate the worker's network applied.
 */
class ShuffledRoundsTest {
  private static final int WORKERS = 2;
  private static final int BATCH = 32;
  private static final int FREQUENCY = 3;
  private static final int EPOCHS = 2;
  private static final long SEED = 7;

  @TempDir
  static Path tmp;
  private static SparkSession spark;
  private static final List<Step> steps = new ArrayList<>();
  private static List<String> paths;
  private static Dataset<Row> corpus;
  private static OptimizerOptions optimizer;
  private static long stepsPerEpoch;
  private static final List<EpochPlan> plans = new ArrayList<>();

  /** One worker step as the executor saw it. */
  record Step(int epoch, int stage, int partition, int iteration, double lr, int[] positions) {}

  @BeforeAll
  static void train() throws IOException {
    SizeSortedCorpus.write(tmp.resolve("corpus"));
    spark = SparkSession.builder().master("local[" + WORKERS + "]").appName("shuffled-rounds")
        .config("spark.ui.enabled", "false").getOrCreate();
    JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    FolderCorpus folder = new FolderCorpus(spark, tmp.resolve("corpus").toUri().toString());
    corpus = folder.images(spark);
    paths = folder.list(spark).keys();
    stepsPerEpoch = EpochPlan.stepsPerEpoch(paths.size(), WORKERS, BATCH);

    ModelOptions model = new ModelOptions();
    model.convWidths = new int[] {4, 8, 8};
    model.projectorHidden = 16;
    model.projectionSize = 8;
    optimizer = new OptimizerOptions();
    optimizer.learningRate = 0.01;
    optimizer.schedule = OptimizerOptions.Schedule.cosine;
    optimizer.warmupSteps = 5;
    optimizer.totalSteps = EPOCHS * stepsPerEpoch;
    model.optimizer = optimizer;
    RoundAveragingMaster master = new RoundAveragingMaster(WORKERS, null);
    Recorder recorder = new Recorder(sc.sc().collectionAccumulator("steps"));
    master.addHook(recorder);
    SparkComputationGraph net = new SparkComputationGraph(sc, SslNetwork.create(model), master);
    ViewPipeline pipeline = new ViewPipeline(new ViewOptions());
    for (int epoch = 1; epoch <= EPOCHS; epoch++) {
      ShuffledEpoch.Batches b = ShuffledEpoch.of(sc, corpus.javaRDD(), paths, SEED, epoch, WORKERS, BATCH, FREQUENCY, pipeline, 2,
          sc.sc().longAccumulator(), sc.sc().collectionAccumulator());
      plans.add(b.plan());
      recorder.epoch = epoch;
      net.fit(b.rdd());
      master.takeEpoch(BATCH);
    }
    recorder.steps.value().forEach(s -> steps.add(parse(s)));
    master.release();
  }

  @AfterAll
  static void stop() {
    spark.stop();
  }

  @Test
  void batchesAreUniformSamplesWhereSparkPartitionsAreNot() {
    List<int[]> planned = steps.stream().map(s -> classCounts(s.positions(), plans.get(s.epoch() - 1))).toList();
    double shuffled = SizeSortedCorpus.chiSquareZ(planned);
    assertTrue(shuffled < 3.1, "class mix of the batches the loss saw departs from uniform sampling: z = " + shuffled);

    // the control: batches cut from binaryFile's partitions in order, as the job formed them before
    List<int[]> partitionBatches = corpus.select("path").javaRDD().mapPartitions((Iterator<Row> rows) -> {
      List<List<String>> out = new ArrayList<>();
      List<String> batch = new ArrayList<>();
      rows.forEachRemaining(r -> {
        batch.add(r.getString(0));
        if (batch.size() == BATCH) {
          out.add(new ArrayList<>(batch));
          batch.clear();
        }
      });
      return out.iterator();
    }).collect().stream().map(SizeSortedCorpus::classCounts).toList();
    double packed = SizeSortedCorpus.chiSquareZ(partitionBatches);
    assertTrue(packed > 10, "control: size-packed partitions should group classes, z = " + packed);
  }

  @Test
  void everyStepHasExactlyTheBatchAndEveryRoundTheFrequency() {
    assertEquals(EPOCHS * stepsPerEpoch * WORKERS, steps.size());
    steps.forEach(s -> assertEquals(BATCH, s.positions().length));
    for (int epoch = 1; epoch <= EPOCHS; epoch++) {
      int e = epoch;
      Map<Integer, Map<Integer, Integer>> perStage = new TreeMap<>();
      steps.stream().filter(s -> s.epoch() == e).forEach(s ->
          perStage.computeIfAbsent(s.stage(), k -> new TreeMap<>()).merge(s.partition(), 1, Integer::sum));
      int rounds = (int) ((stepsPerEpoch + FREQUENCY - 1) / FREQUENCY);
      assertEquals(rounds, perStage.size(), "one Spark stage per averaging round: " + perStage);
      int r = 0;
      for (Map<Integer, Integer> workers : perStage.values()) {
        int expected = (int) Math.min(FREQUENCY, stepsPerEpoch - (long) r * FREQUENCY);
        assertEquals(Map.of(0, expected, 1, expected), workers, "round " + r + " of epoch " + epoch);
        r++;
      }
    }
  }

  @Test
  void workersApplyTheScheduleOfTheGlobalStepAcrossRoundsAndEpochs() {
    for (Step s : steps) {
      long global = (s.epoch() - 1) * stepsPerEpoch + s.positions()[0] / (WORKERS * BATCH);
      assertEquals(global, s.iteration(), "iteration count on the worker is the global step");
      assertEquals(optimizer.learningRateAt(global), s.lr(), 1e-12, "learning rate at global step " + global);
    }
    // the schedule really moved: warmup up, then down to near zero
    assertEquals(0.002, optimizer.learningRateAt(0), 1e-12);
    assertTrue(steps.stream().mapToDouble(Step::lr).min().orElseThrow() < 0.001);
  }

  /** Per-class counts of the images at these positions. */
  private static int[] classCounts(int[] positions, EpochPlan plan) {
    Map<Integer, String> byPosition = new HashMap<>();
    paths.forEach(p -> {
      Integer pos = plan.position(p);
      if (pos != null) {
        byPosition.put(pos, p);
      }
    });
    List<String> batch = new ArrayList<>();
    for (int p : positions) {
      batch.add(byPosition.get(p));
    }
    return SizeSortedCorpus.classCounts(batch);
  }

  private static Step parse(String s) {
    String[] f = s.split("\\|");
    String[] pos = f[5].split(",");
    int[] positions = new int[pos.length];
    for (int i = 0; i < pos.length; i++) {
      positions[i] = Integer.parseInt(pos[i]);
    }
    return new Step(Integer.parseInt(f[0]), Integer.parseInt(f[1]), Integer.parseInt(f[2]), Integer.parseInt(f[3]),
        Double.parseDouble(f[4]), positions);
  }

  /** Records each step on the executor: epoch, stage, partition, iteration, learning rate, positions. */
  static final class Recorder implements TrainingHook {
    private static final long serialVersionUID = 1L;
    final CollectionAccumulator<String> steps;
    int epoch;

    Recorder(CollectionAccumulator<String> steps) {
      this.steps = steps;
    }

    @Override
    public void preUpdate(DataSet minibatch, Model model) {
      ComputationGraph net = (ComputationGraph) model;
      float[] labels = minibatch.getLabels().toFloatVector();
      StringBuilder positions = new StringBuilder();
      for (float p : labels) {
        positions.append(positions.length() == 0 ? "" : ",").append((int) p);
      }
      TaskContext task = TaskContext.get();
      steps.add(epoch + "|" + task.stageId() + "|" + task.partitionId() + "|" + net.getIterationCount() + "|"
          + net.getLearningRate(SslHead.PROJECTION) + "|" + positions);
    }

    @Override
    public void postUpdate(DataSet minibatch, Model model) {}

    @Override
    public void preUpdate(MultiDataSet minibatch, Model model) {}

    @Override
    public void postUpdate(MultiDataSet minibatch, Model model) {}
  }
}
