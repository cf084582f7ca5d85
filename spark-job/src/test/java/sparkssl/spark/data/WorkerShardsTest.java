package sparkssl.spark.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.dataset.DataSet;
import scala.Tuple2;
import sparkssl.augment.ViewOptions;
import sparkssl.augment.ViewPipeline;
import sparkssl.spark.corpus.FolderCorpus;
import sparkssl.spark.ml.LocalSpark;

/**
 * Two epochs of {@link WorkerShards} in local mode with 2 workers over a {@link SizeSortedCorpus},
 * every round's batches made into views and read back by worker and step, with the shuffle bytes
 * each epoch's Spark tasks wrote. Epoch 2 leaves out one key, as if it had failed to decode in epoch 1.
 */
class WorkerShardsTest {
  private static final int WORKERS = 2;
  private static final int BATCH = 32;
  private static final int FREQUENCY = 3;
  private static final long SEED = 7;

  @TempDir
  static Path tmp;
  private static SparkSession spark;
  private static List<String> keys;
  private static String undecodable;
  private static long corpusBytes;
  private static Map<Integer, Set<String>> dealt;
  private static final List<EpochSeen> epochs = new ArrayList<>();

  /** One epoch as the workers saw it: steps per worker of each round, the key at each position, shuffle bytes moved. */
  record EpochSeen(long steps, List<List<List<Step>>> rounds, Map<Integer, String> keyAt, LocalSpark.ShuffleBytes.Moved shuffle) {}

  /** One worker step: the positions its batch's label column holds. */
  record Step(int[] positions) implements java.io.Serializable {}

  @BeforeAll
  static void run() throws IOException, TimeoutException {
    SizeSortedCorpus.write(tmp.resolve("corpus"));
    try (Stream<Path> files = Files.walk(tmp.resolve("corpus"))) {
      corpusBytes = files.filter(Files::isRegularFile).mapToLong(f -> f.toFile().length()).sum();
    }
    spark = LocalSpark.start("worker-shards");
    JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    FolderCorpus folder = new FolderCorpus(spark, tmp.resolve("corpus").toUri().toString());
    Dataset<Row> corpus = folder.images(spark);
    keys = folder.list(spark).keys();
    undecodable = keys.get(keys.size() / 2);
    LocalSpark.ShuffleBytes shuffle = LocalSpark.ShuffleBytes.on(spark);
    WorkerShards shards = WorkerShards.deal(sc, corpus.javaRDD(), SEED, WORKERS);
    ViewPipeline pipeline = new ViewPipeline(new ViewOptions());
    for (int epoch = 1; epoch <= 2; epoch++) {
      Set<String> skip = epoch == 1 ? Set.of() : Set.of(undecodable);
      List<String> current = keys.stream().filter(k -> !skip.contains(k)).toList();
      ShardEpoch e = shards.epoch(epoch, current, skip, BATCH, FREQUENCY, pipeline, 2, sc.sc().longAccumulator(),
          sc.sc().collectionAccumulator());
      List<List<List<Step>>> rounds = new ArrayList<>();
      for (int r = 0; r < e.rounds(); r++) {
        rounds.add(e.round(r).mapPartitionsWithIndex((Integer w, Iterator<DataSet> batches) -> {
          List<Step> steps = new ArrayList<>();
          batches.forEachRemaining(b -> steps.add(new Step(toInts(b.getLabels().toFloatVector()))));
          return List.of(steps).iterator();
        }, false).collect());
      }
      Map<Integer, String> keyAt = new HashMap<>(e.ordered().mapToPair(t -> new Tuple2<>(t._1(), t._2().getString(2))).collectAsMap());
      epochs.add(new EpochSeen(WorkerShards.stepsPerEpoch(current, SEED, WORKERS, BATCH), rounds, keyAt, shuffle.take()));
    }
    dealt = new HashMap<>();
    shards.shards().mapPartitionsWithIndex((Integer w, Iterator<Row> rows) -> {
      List<Tuple2<Integer, String>> out = new ArrayList<>();
      rows.forEachRemaining(row -> out.add(new Tuple2<>(w, row.getString(2))));
      return out.iterator();
    }, false).collect().forEach(t -> dealt.computeIfAbsent(t._1(), w -> new HashSet<>()).add(t._2()));
    shards.release();
  }

  @AfterAll
  static void stop() {
    spark.stop();
  }

  @Test
  void shardsAreDisjointCoverEveryKeyAreBalancedAndMatchTheDriversCount() {
    assertEquals(Set.of(0, 1), dealt.keySet());
    Set<String> union = new HashSet<>(dealt.get(0));
    union.addAll(dealt.get(1));
    assertEquals(new HashSet<>(keys), union, "every key dealt");
    assertEquals(keys.size(), dealt.get(0).size() + dealt.get(1).size(), "no key in two shards");
    double expected = (double) keys.size() / WORKERS;
    for (int w = 0; w < WORKERS; w++) {
      int worker = w;
      assertTrue(Math.abs(dealt.get(w).size() - expected) < 3 * Math.sqrt(expected), "shard " + w + ": " + dealt.get(w).size());
      // the driver plans steps from the keys it holds: its shard of a key is the one the executors dealt it to
      assertEquals(keys.stream().filter(k -> WorkerShards.shard(SEED, k, WORKERS) == worker).count(), dealt.get(w).size());
    }
    assertEquals(Math.min(dealt.get(0).size(), dealt.get(1).size()) / BATCH, epochs.get(0).steps());
  }

  @Test
  void everyWorkerStepHasTheBatchEveryRoundTheFrequencyAndEveryPositionItsWorkersKey() {
    for (EpochSeen e : epochs) {
      assertEquals((e.steps() + FREQUENCY - 1) / FREQUENCY, e.rounds().size());
      Set<Integer> seen = new HashSet<>();
      for (int r = 0; r < e.rounds().size(); r++) {
        List<List<Step>> round = e.rounds().get(r);
        assertEquals(WORKERS, round.size());
        for (int w = 0; w < WORKERS; w++) {
          assertEquals(Math.min(FREQUENCY, e.steps() - (long) r * FREQUENCY), round.get(w).size(), "round " + r + " worker " + w);
          for (int s = 0; s < round.get(w).size(); s++) {
            Step step = round.get(w).get(s);
            assertEquals(BATCH, step.positions().length);
            for (int p : step.positions()) {
              assertEquals((long) r * FREQUENCY + s, p / (WORKERS * BATCH), "position " + p + " is at its global step");
              assertEquals(w, p % (WORKERS * BATCH) / BATCH, "position " + p + " is on its worker");
              assertTrue(dealt.get(w).contains(e.keyAt().get(p)), "worker " + w + " trains on its own shard");
              assertTrue(seen.add(p), "position " + p + " once an epoch");
            }
          }
        }
      }
      assertEquals(e.steps() * WORKERS * BATCH, seen.size());
    }
    assertTrue(epochs.get(0).keyAt().containsValue(undecodable), "the key was in epoch 1's batches");
    assertTrue(!epochs.get(1).keyAt().containsValue(undecodable), "a known undecodable key sits out");
    assertNotEquals(epochs.get(0).keyAt().get(0), epochs.get(1).keyAt().get(0), "each epoch a fresh permutation");
  }

  @Test
  void batchesAreUniformSamplesOfTheClasses() {
    List<int[]> batches = new ArrayList<>();
    for (EpochSeen e : epochs) {
      e.rounds().forEach(round -> round.forEach(worker -> worker.forEach(step -> {
        List<String> batch = new ArrayList<>();
        for (int p : step.positions()) {
          batch.add(e.keyAt().get(p));
        }
        batches.add(SizeSortedCorpus.classCounts(batch));
      })));
    }
    double z = SizeSortedCorpus.chiSquareZ(batches);
    assertTrue(z < 3.1, "class mix of the shards' batches departs from uniform sampling: z = " + z);
  }

  @Test
  void onlyTheFirstEpochShufflesBytes() {
    LocalSpark.ShuffleBytes.Moved first = epochs.get(0).shuffle();
    assertTrue(first.written() > corpusBytes / 2 && first.read() > corpusBytes / 2,
        "epoch 1 deals the corpus: " + first + " of " + corpusBytes + " bytes");
    // reading nothing either: the shards come from the block managers, not from the deal's shuffle files
    assertEquals(new LocalSpark.ShuffleBytes.Moved(0, 0), epochs.get(1).shuffle(), "epoch 2 moves no bytes");
  }

  private static int[] toInts(float[] values) {
    int[] ints = new int[values.length];
    for (int i = 0; i < values.length; i++) {
      ints[i] = (int) values[i];
    }
    return ints;
  }
}
