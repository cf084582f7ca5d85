package sparkssl.job;

import java.util.List;
import org.apache.spark.SparkContext;
import org.apache.spark.util.CollectionAccumulator;
import org.apache.spark.util.LongAccumulator;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.spark.api.TrainingHook;
import org.nd4j.linalg.dataset.api.DataSet;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import sparkssl.model.FastPath;
import sparkssl.spark.train.TaskDevice;

/**
 * Counts, on the workers themselves, the training steps that ran on the backend's fast path (oneDNN
 * on CPUs, the GPU on CUDA) and those that did not (a GPU Spark assigned idling counts as not), and
 * collects which executor and device ran them,
 * so the driver can tell (and the metrics show) what the executors really ran.
 */
final class FastPathProbe implements TrainingHook {
  private static final long serialVersionUID = 1L;

  /** Worker steps since the last {@link #take()}: on and off the fast path, and where they ran. */
  record Steps(long fast, long slow, List<String> devices) {}

  private final LongAccumulator fast;
  private final LongAccumulator slow;
  private final CollectionAccumulator<String> devices;
  /** Each task works on its own copy of the hook: a device is reported once per task, not per step. */
  private transient String reported;

  FastPathProbe(SparkContext sc) {
    this.fast = sc.longAccumulator("steps on the fast path");
    this.slow = sc.longAccumulator("steps off the fast path");
    this.devices = sc.collectionAccumulator("devices that trained");
  }

  @Override
  public void preUpdate(DataSet minibatch, Model model) {
    FastPath.Status status = model instanceof ComputationGraph net ? FastPath.status(net) : null;
    (onFastPath(status, TaskDevice.gpuIdle()) ? fast : slow).add(1);
    String device = status == null ? "unknown network " + model.getClass().getSimpleName() : TaskDevice.describe(status);
    if (!device.equals(reported)) {
      devices.add(device);
      reported = device;
    }
  }

  /**
   * A step is fast on the backend's fast path, and not when Spark gave its task a GPU that ND4J does
   * not use (its CUDA backend fell back to the CPU): oneDNN may run there, but the run asked for a GPU.
   */
  static boolean onFastPath(FastPath.Status status, boolean gpuIdle) {
    return status != null && status.active() && !gpuIdle;
  }

  @Override
  public void postUpdate(DataSet minibatch, Model model) {}

  @Override
  public void preUpdate(MultiDataSet minibatch, Model model) {}

  @Override
  public void postUpdate(MultiDataSet minibatch, Model model) {}

  Steps take() {
    Steps steps = new Steps(fast.value(), slow.value(), devices.value().stream().distinct().sorted().toList());
    fast.reset();
    slow.reset();
    devices.reset();
    return steps;
  }
}
