package sparkssl.spark.train;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.IntStream;
import org.apache.spark.Partitioner;
import org.apache.spark.SparkContext;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.deeplearning4j.core.loader.DataSetLoader;
import org.deeplearning4j.core.loader.MultiDataSetLoader;
import org.deeplearning4j.core.storage.StatsStorageRouter;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.deeplearning4j.spark.api.TrainingHook;
import org.deeplearning4j.spark.api.TrainingMaster;
import org.deeplearning4j.spark.api.TrainingWorker;
import org.deeplearning4j.spark.api.stats.SparkTrainingStats;
import org.deeplearning4j.spark.impl.graph.SparkComputationGraph;
import org.deeplearning4j.spark.impl.multilayer.SparkDl4jMultiLayer;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import scala.Tuple2;
import sparkssl.model.momentum.Teacher;
import sparkssl.spark.data.EpochRounds;
import sparkssl.spark.data.PartitionRounds;
import sparkssl.spark.outer.OuterOptimizer;
import sparkssl.spark.outer.PlainAverage;

/**
 * Synchronous parameter averaging over pre-planned rounds ({@link EpochRounds}): partition {@code w}
 * of round {@code r} is worker {@code w}'s share of the round, each of its DataSets one step. An RDD
 * passed to {@code fit} is read as {@link PartitionRounds}, partition {@code r*W + w} for worker
 * {@code w} in round {@code r} (see {@code sparkssl.spark.data.EpochPlan}). Round {@code r} is one
 * Spark job over exactly its {@code W} partitions; the driver then averages parameters and updater state
 * (including batch-norm running statistics, which DL4J keeps among the parameters) with equal weights
 * over the workers that trained; an {@link OuterOptimizer} may then step the parameters from the
 * round's start along the averaged change.
 *
 * <p>Unlike dl4j-spark's {@code ParameterAveragingTrainingMaster} it neither re-splits nor re-balances
 * the data (the plan already did, exactly), keeps worker networks between rounds, and carries the
 * global step, so a schedule's learning rate at a step does not depend on how steps fall into rounds.
 * A round whose loss or averaged parameters are NaN or infinite ends training with a
 * {@link TrainingDivergedException}.
 */
public final class RoundAveragingMaster implements TrainingMaster<RoundResult, TrainingWorker<RoundResult>> {
  private final int workers;
  private final Teacher teacher;
  private final OuterOptimizer outer;
  private final Aggregation aggregation;
  private final String run = UUID.randomUUID().toString();
  private final List<TrainingHook> hooks = new ArrayList<>();
  private final List<EpochStats.Round> rounds = new ArrayList<>();

  /**
   * @param teacher the method's EMA teacher, or null: its state is averaged like the parameters (an
   *     average of per-step EMAs from a common start is the per-step EMA of the averaged students)
   */
  public RoundAveragingMaster(int workers, Teacher teacher) {
    this(workers, teacher, new PlainAverage(), Aggregation.DRIVER);
  }

  /**
   * @param outer what the driver makes of each round's average (parameters only)
   * @param aggregation where the workers' states are summed
   */
  public RoundAveragingMaster(int workers, Teacher teacher, OuterOptimizer outer, Aggregation aggregation) {
    if (workers < 1) {
      throw new IllegalArgumentException("workers must be >= 1, got " + workers);
    }
    this.workers = workers;
    this.teacher = teacher;
    this.outer = outer;
    this.aggregation = aggregation;
  }

  @Override
  public void executeTraining(SparkComputationGraph network, JavaRDD<DataSet> trainingData) {
    train(network, new PartitionRounds(trainingData, workers));
  }

  /** Trains one epoch's rounds and counts the epoch, as {@code SparkComputationGraph.fit} counts an RDD's. */
  public void fit(SparkComputationGraph network, EpochRounds epoch) {
    train(network, epoch);
    network.getNetwork().incrementEpochCount();
  }

  private void train(SparkComputationGraph network, EpochRounds epoch) {
    JavaSparkContext sc = network.getSparkContext();
    ComputationGraph net = network.getNetwork();
    Broadcast<ComputationGraphConfiguration> conf = sc.broadcast(net.getConfiguration());
    int roundCount = epoch.rounds();
    // the caller's description (epoch and phase; Spark's key, private to Spark) stays in front in the Spark UI
    String callerDescription = sc.getLocalProperty("spark.job.description");
    for (int r = 0; r < roundCount; r++) {
      long start = System.nanoTime();
      RoundSum sum = runRound(sc, net, conf, epoch.round(r), List.copyOf(hooks),
          (callerDescription == null ? "train" : callerDescription) + ", round " + (r + 1) + " of " + roundCount);
      sc.setJobDescription(callerDescription);
      long trained = System.nanoTime();
      average(sum).ifPresent(a -> a.applyTo(net, teacher, outer));
      EpochStats.Round round = EpochStats.Round.of(sum.workers(), (trained - start) / 1e9, (System.nanoTime() - trained) / 1e9);
      rounds.add(round);
      double loss = round.images() == 0 ? 0 : round.lossTimesImages() / round.images();
      // a sum over all parameters is NaN or infinite when any of them is
      boolean paramsFinite = Double.isFinite(net.params().sumNumber().doubleValue());
      if (!Double.isFinite(loss) || !paramsFinite) {
        conf.destroy();
        throw new TrainingDivergedException(r + 1, roundCount, net.getIterationCount(), loss, paramsFinite);
      }
    }
    conf.destroy();
  }

  /**
   * Times averaging rounds of synthetic batches on the cluster without changing {@code net}: {@code
   * warmups} untimed rounds to build and warm the workers' networks, then {@code timed} rounds, all of
   * {@code steps} steps, each averaged into a throwaway copy. Batches of {@code featureShape} are made
   * on the workers; the workers' kept networks are overwritten at the start of every real round anyway.
   */
  public List<ProbeRound> probe(JavaSparkContext sc, ComputationGraph net, long[] featureShape, int steps, int warmups,
      int timed) {
    Broadcast<ComputationGraphConfiguration> conf = sc.broadcast(net.getConfiguration());
    String callerDescription = sc.getLocalProperty("spark.job.description");
    List<ProbeRound> measured = new ArrayList<>();
    try {
      for (int r = 0; r < warmups + timed; r++) {
        JavaRDD<DataSet> data = sc.parallelize(IntStream.range(0, workers).boxed().toList(), workers)
            .mapPartitions(new SyntheticBatches(featureShape, steps), true);
        long start = System.nanoTime();
        RoundSum sum = runRound(sc, net, conf, data, List.of(),
            "probe round " + (r + 1) + " of " + (warmups + timed));
        average(sum);
        double wall = (System.nanoTime() - start) / 1e9;
        if (r >= warmups) {
          measured.add(ProbeRound.of(sum.workers(), wall));
        }
      }
    } finally {
      sc.setJobDescription(callerDescription);
      conf.destroy();
    }
    return measured;
  }

  public Aggregation aggregation() {
    return aggregation;
  }

  /** Bytes of one worker's state: what a round broadcasts to each worker and collects from each. */
  public long stateBytes(ComputationGraph net) {
    return stateBytes(net, teacher);
  }

  /** {@link #stateBytes(ComputationGraph)} of a network and its teacher (null without one), without a master. */
  public static long stateBytes(ComputationGraph net, Teacher teacher) {
    long elements = net.params().length()
        + (net.getUpdater() == null || net.getUpdater().getStateViewArray() == null ? 0 : net.getUpdater().getStateViewArray().length())
        + (teacher == null ? 0 : teacher.state().length());
    return elements * net.params().dataType().width();
  }

  private RoundSum runRound(JavaSparkContext sc, ComputationGraph net, Broadcast<ComputationGraphConfiguration> conf,
      JavaRDD<DataSet> round, List<TrainingHook> roundHooks, String description) {
    INDArray updater = net.getUpdater() == null ? null : net.getUpdater().getStateViewArray();
    Broadcast<RoundState> state = sc.broadcast(new RoundState(PackedArray.of(net.params()), PackedArray.of(updater),
        teacher == null ? null : PackedArray.of(teacher.state()), net.getIterationCount(), net.getEpochCount()));
    sc.setJobDescription(description);
    try {
      JavaRDD<RoundResult> results = round
          .mapPartitionsWithIndex(new WorkerRound(run, conf, state, teacher == null ? null : teacher.settings(),
              roundHooks), false);
      return aggregation == Aggregation.TREE && workers > 1 ? treeSum(results, workers) : RoundSum.of(results.collect());
    } finally {
      state.destroy();
    }
  }

  /**
   * Each group of {@link Aggregation#fanIn} workers' states shuffled to one task and summed there in
   * worker order; the driver adds the groups' sums in group order.
   */
  private static RoundSum treeSum(JavaRDD<RoundResult> results, int workers) {
    int fanIn = Aggregation.fanIn(workers);
    List<Tuple2<Integer, RoundSum>> groups = new ArrayList<>(results
        .mapPartitionsWithIndex((Integer w, Iterator<RoundResult> it) -> {
          List<Tuple2<Integer, Tuple2<Integer, RoundResult>>> keyed = new ArrayList<>();
          it.forEachRemaining(x -> keyed.add(new Tuple2<>(w / fanIn, new Tuple2<>(w, x))));
          return keyed.iterator();
        }, false)
        .mapToPair(x -> x)
        .groupByKey(new GroupPartitioner(Aggregation.groups(workers)))
        .mapValues(group -> {
          List<Tuple2<Integer, RoundResult>> inOrder = new ArrayList<>();
          group.forEach(inOrder::add);
          inOrder.sort(Comparator.comparing(Tuple2::_1));
          return RoundSum.of(inOrder.stream().map(Tuple2::_2).toList());
        })
        .collect());
    groups.sort(Comparator.comparing(Tuple2::_1));
    RoundSum total = groups.get(0)._2();
    for (Tuple2<Integer, RoundSum> g : groups.subList(1, groups.size())) {
      total = total.plus(g._2());
    }
    return total;
  }

  /** The equal-weight mean of the states of the workers that trained (none if none did). */
  private static Optional<Averaged> average(RoundSum sum) {
    if (sum.trained() == 0) {
      return Optional.empty();
    }
    return Optional.of(new Averaged(sum.mean(sum.params()), sum.mean(sum.updaterState()), sum.mean(sum.teacherState()),
        sum.maxSteps()));
  }

  private record Averaged(INDArray params, INDArray updaterState, INDArray teacherState, int steps) {
    void applyTo(ComputationGraph net, Teacher teacher, OuterOptimizer outer) {
      net.setParams(outer.step(net.params(), params));
      if (updaterState != null) {
        net.getUpdater().getStateViewArray().assign(updaterState);
      }
      if (teacher != null) {
        teacher.load(teacherState);
      }
      net.getConfiguration().setIterationCount(net.getIterationCount() + steps);
    }
  }

  /** Group {@code g} of a round's tree sum is partition {@code g}. */
  private static final class GroupPartitioner extends Partitioner {
    private static final long serialVersionUID = 1L;
    private final int groups;

    GroupPartitioner(int groups) {
      this.groups = groups;
    }

    @Override
    public int numPartitions() {
      return groups;
    }

    @Override
    public int getPartition(Object key) {
      return (Integer) key;
    }
  }

  /** The rounds since the last call, and a fresh start (call once per epoch). */
  public EpochStats takeEpoch(int batchSize) {
    EpochStats stats = EpochStats.of(rounds, workers, batchSize);
    rounds.clear();
    return stats;
  }

  /** Frees the networks this run kept in this JVM (all of them in local mode). */
  public void release() {
    WorkerNetworks.forget(run);
  }

  @Override
  public void addHook(TrainingHook hook) {
    hooks.add(hook);
  }

  @Override
  public void removeHook(TrainingHook hook) {
    hooks.remove(hook);
  }

  @Override
  public boolean deleteTempFiles(JavaSparkContext sc) {
    return true; // nothing is exported
  }

  @Override
  public boolean deleteTempFiles(SparkContext sc) {
    return true;
  }

  @Override
  public void setCollectTrainingStats(boolean collect) {}

  @Override
  public boolean getIsCollectTrainingStats() {
    return false;
  }

  @Override
  public SparkTrainingStats getTrainingStats() {
    return null;
  }

  @Override
  public void setListeners(Collection<TrainingListener> listeners) {
    setListeners(null, listeners);
  }

  @Override
  public void setListeners(StatsStorageRouter router, Collection<TrainingListener> listeners) {
    if (router != null || (listeners != null && !listeners.isEmpty())) {
      throw unsupported("training listeners (use training hooks)");
    }
  }

  @Override
  public String toJson() {
    throw unsupported("JSON form");
  }

  @Override
  public String toYaml() {
    throw unsupported("YAML form");
  }

  @Override
  public TrainingWorker<RoundResult> getWorkerInstance(SparkDl4jMultiLayer network) {
    throw unsupported("dl4j-spark's generic worker (rounds run their own)");
  }

  @Override
  public TrainingWorker<RoundResult> getWorkerInstance(SparkComputationGraph graph) {
    throw unsupported("dl4j-spark's generic worker (rounds run their own)");
  }

  @Override
  public void executeTrainingPaths(SparkDl4jMultiLayer network, SparkComputationGraph graph, JavaRDD<String> paths,
      DataSetLoader dsLoader, MultiDataSetLoader mdsLoader) {
    throw unsupported("training from paths");
  }

  @Override
  public void executeTraining(SparkDl4jMultiLayer network, JavaRDD<DataSet> trainingData) {
    throw unsupported("MultiLayerNetworks (the SSL network is a ComputationGraph)");
  }

  @Override
  public void executeTrainingMDS(SparkComputationGraph graph, JavaRDD<MultiDataSet> trainingData) {
    throw unsupported("MultiDataSets");
  }

  private static UnsupportedOperationException unsupported(String what) {
    return new UnsupportedOperationException("RoundAveragingMaster does not support " + what);
  }
}
