package sparkssl.spark.train;

import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.graph.ComputationGraph;
import sparkssl.model.Devices;
import sparkssl.model.blocks.ConvLayers;
import sparkssl.model.momentum.Teacher;
import sparkssl.model.momentum.TeacherSettings;

/**
 * Networks kept alive in an executor JVM between averaging rounds, per training run and ND4J device:
 * a round borrows one (building it only the first time), overwrites its parameters and updater state
 * (and its teacher's) with the round's, and gives it back. A network's arrays live on the GPU it was
 * built on, so a task only borrows one of its own device (always 0 on the CPU backend). dl4j-spark's
 * own master rebuilds every worker's network every round.
 */
final class WorkerNetworks {
  /** A worker's student network and, for methods with one, its EMA teacher. */
  record Pair(ComputationGraph student, Teacher teacher) {}

  private record Key(String run, int device) {}

  private static final Map<Key, Queue<Pair>> IDLE = new ConcurrentHashMap<>();

  private WorkerNetworks() {}

  static Pair borrow(String run, int device, ComputationGraphConfiguration conf, TeacherSettings teacher) {
    Pair pair = idle(run, device).poll();
    if (pair == null) {
      String refusal = refusal(conf, Devices.cuda() ? Devices.describeAll() : null);
      if (refusal != null) {
        throw new IllegalStateException(refusal);
      }
      ComputationGraph net = new ComputationGraph(conf.clone());
      net.init();
      pair = new Pair(net, teacher == null ? null : Teacher.of(net, teacher));
    }
    return pair;
  }

  /**
   * Why this executor cannot build the run's network, or null when it can: fused oneDNN layers on an
   * executor whose ND4J runs {@code cudaBackend} (null: the CPU backend). Said before DL4J builds any
   * layer, so the task fails with the cause and the way out rather than inside ND4J.
   */
  static String refusal(ComputationGraphConfiguration conf, String cudaBackend) {
    if (cudaBackend == null || ConvLayers.of(conf) != ConvLayers.FUSED) {
      return null;
    }
    return "this run's network has fused oneDNN convolution layers, which run on ND4J's CPU backend only, but this executor's ND4J "
        + "runs " + cudaBackend + ". The driver builds DL4J's own layers, which run on GPUs, when the Spark configuration asks for GPU "
        + "executors: set " + TaskDevice.EXECUTOR_GPUS + " (deploy/conf/spark-defaults-gpu.conf), or start the driver with -D"
        + ConvLayers.PROPERTY + "=false";
  }

  static void giveBack(String run, int device, Pair pair) {
    idle(run, device).add(pair);
  }

  private static Queue<Pair> idle(String run, int device) {
    return IDLE.computeIfAbsent(new Key(run, device), k -> new ConcurrentLinkedQueue<>());
  }

  /** Drops a finished run's networks (driver side in local mode; executors drop theirs with the JVM). */
  static void forget(String run) {
    IDLE.keySet().removeIf(k -> k.run().equals(run));
  }
}
