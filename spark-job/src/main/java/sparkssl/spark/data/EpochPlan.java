package sparkssl.spark.data;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import sparkssl.augment.ViewSeed;

/**
 * Where every image of one epoch goes. Images are ordered by {@link ViewSeed#orderKey}; position
 * {@code p} in that order trains at global step {@code t = p / (W*B)} on worker
 * {@code w = (p mod W*B) / B}; steps {@code t} group into averaging rounds of {@code F} steps. So each
 * worker step has exactly {@code B} images, each round exactly {@code F} steps except possibly the
 * epoch's last, and the {@code N mod W*B} images past the last full global step wait for the next
 * epoch (a different few each epoch, as with PyTorch's {@code drop_last=True}).
 *
 * <p>Spark partition {@code r*W + w} holds worker {@code w}'s images of round {@code r}, in step order.
 */
public final class EpochPlan implements Serializable {
  private static final long serialVersionUID = 1L;

  private final int workers;
  private final int batchSize;
  private final int frequency;
  private final long steps;
  private final int dropped;
  private final Map<String, Integer> positions;

  private EpochPlan(int workers, int batchSize, int frequency, long steps, int dropped, Map<String, Integer> positions) {
    this.workers = workers;
    this.batchSize = batchSize;
    this.frequency = frequency;
    this.steps = steps;
    this.dropped = dropped;
    this.positions = positions;
  }

  /** Global steps one epoch of {@code images} makes; zero when there is not one full global batch. */
  public static long stepsPerEpoch(long images, int workers, int batchSize) {
    return images / ((long) workers * batchSize);
  }

  public static EpochPlan of(List<String> paths, long seed, int epoch, int workers, int batchSize, int frequency) {
    record Keyed(long key, String path) {}
    List<Keyed> order = new ArrayList<>(paths.size());
    for (String path : paths) {
      order.add(new Keyed(ViewSeed.orderKey(seed, epoch, path), path));
    }
    order.sort(Comparator.comparingLong(Keyed::key).thenComparing(Keyed::path));
    long steps = stepsPerEpoch(order.size(), workers, batchSize);
    int used = (int) (steps * workers * batchSize);
    Map<String, Integer> positions = new HashMap<>(used * 2);
    for (int p = 0; p < used; p++) {
      positions.put(order.get(p).path(), p);
    }
    return new EpochPlan(workers, batchSize, frequency, steps, order.size() - used, positions);
  }

  /** The image's position in this epoch's order, or null when it sits this epoch out. */
  public Integer position(String path) {
    return positions.get(path);
  }

  /** Spark partition of position {@code p}: {@code round * W + worker}. */
  public int partition(int p) {
    long step = p / ((long) workers * batchSize);
    int worker = (int) (p % ((long) workers * batchSize)) / batchSize;
    return (int) (step / frequency) * workers + worker;
  }

  public int workers() {
    return workers;
  }

  public int partitions() {
    return rounds() * workers;
  }

  public int rounds() {
    return (int) ((steps + frequency - 1) / frequency);
  }

  /** Images that sit this epoch out because they do not fill a last global batch. */
  public int dropped() {
    return dropped;
  }
}
