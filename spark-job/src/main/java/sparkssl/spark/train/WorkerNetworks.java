package sparkssl.spark.train;

import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;

/**
 * Networks kept alive in an executor JVM between averaging rounds, per training run: a round borrows
 * one (building it only the first time), overwrites its parameters and updater state with the
 * round's, and gives it back. dl4j-spark's own master rebuilds every worker's network every round.
 */
final class WorkerNetworks {
  private static final Map<String, Queue<MultiLayerNetwork>> IDLE = new ConcurrentHashMap<>();

  private WorkerNetworks() {}

  static MultiLayerNetwork borrow(String run, MultiLayerConfiguration conf) {
    MultiLayerNetwork net = IDLE.computeIfAbsent(run, k -> new ConcurrentLinkedQueue<>()).poll();
    if (net == null) {
      net = new MultiLayerNetwork(conf.clone());
      net.init();
    }
    return net;
  }

  static void giveBack(String run, MultiLayerNetwork net) {
    IDLE.computeIfAbsent(run, k -> new ConcurrentLinkedQueue<>()).add(net);
  }

  /** Drops a finished run's networks (driver side in local mode; executors drop theirs with the JVM). */
  static void forget(String run) {
    IDLE.remove(run);
  }
}
