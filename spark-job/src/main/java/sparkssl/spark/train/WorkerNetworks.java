package sparkssl.spark.train;

import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import sparkssl.model.momentum.Teacher;
import sparkssl.model.momentum.TeacherSettings;

/**
 * Networks kept alive in an executor JVM between averaging rounds, per training run: a round borrows
 * one (building it only the first time), overwrites its parameters and updater state (and its
 * teacher's) with the round's, and gives it back. dl4j-spark's own master rebuilds every worker's
 * network every round.
 */
final class WorkerNetworks {
  /** A worker's student network and, for methods with one, its EMA teacher. */
  record Pair(MultiLayerNetwork student, Teacher teacher) {}

  private static final Map<String, Queue<Pair>> IDLE = new ConcurrentHashMap<>();

  private WorkerNetworks() {}

  static Pair borrow(String run, MultiLayerConfiguration conf, TeacherSettings teacher) {
    Pair pair = IDLE.computeIfAbsent(run, k -> new ConcurrentLinkedQueue<>()).poll();
    if (pair == null) {
      MultiLayerNetwork net = new MultiLayerNetwork(conf.clone());
      net.init();
      pair = new Pair(net, teacher == null ? null : Teacher.of(net, teacher));
    }
    return pair;
  }

  static void giveBack(String run, Pair pair) {
    IDLE.computeIfAbsent(run, k -> new ConcurrentLinkedQueue<>()).add(pair);
  }

  /** Drops a finished run's networks (driver side in local mode; executors drop theirs with the JVM). */
  static void forget(String run) {
    IDLE.remove(run);
  }
}
