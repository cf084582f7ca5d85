package sparkssl.spark.data;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import org.apache.spark.api.java.function.Function2;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Row;
import scala.Tuple2;
import sparkssl.augment.ViewSeed;

/**
 * Executor side: worker {@code w}'s shard in one epoch's order, a seeded permutation of its rows by
 * {@link ViewSeed#orderKey} of (seed, epoch, key), known undecodable keys left out and only the first
 * {@code steps * B} rows kept (the rest sit the epoch out, a different few each epoch). Each row gets
 * the position {@link EpochPlan} would give it: {@code step*W*B + w*B + slot}.
 */
final class ShardPermutation implements Function2<Integer, Iterator<Row>, Iterator<Tuple2<Integer, Row>>> {
  private static final long serialVersionUID = 1L;

  private final long seed;
  private final int epoch;
  private final int workers;
  private final int batchSize;
  private final long steps;
  private final Broadcast<Set<String>> undecodable;

  ShardPermutation(long seed, int epoch, int workers, int batchSize, long steps, Broadcast<Set<String>> undecodable) {
    this.seed = seed;
    this.epoch = epoch;
    this.workers = workers;
    this.batchSize = batchSize;
    this.steps = steps;
    this.undecodable = undecodable;
  }

  @Override
  public Iterator<Tuple2<Integer, Row>> call(Integer worker, Iterator<Row> rows) {
    record Keyed(long order, String key, Row row) {}
    Set<String> skip = undecodable.value();
    List<Keyed> order = new ArrayList<>();
    rows.forEachRemaining(row -> {
      String key = row.getString(2);
      if (!skip.contains(key)) {
        order.add(new Keyed(ViewSeed.orderKey(seed, epoch, key), key, row));
      }
    });
    // the key breaks ties, so the order does not depend on the order the shard's rows arrive in
    order.sort(Comparator.comparingLong(Keyed::order).thenComparing(Keyed::key));
    int used = (int) (steps * batchSize);
    List<Tuple2<Integer, Row>> positioned = new ArrayList<>(used);
    for (int i = 0; i < used; i++) {
      int position = (int) ((long) (i / batchSize) * workers * batchSize + (long) worker * batchSize + i % batchSize);
      positioned.add(new Tuple2<>(position, order.get(i).row()));
    }
    return positioned.iterator();
  }
}
