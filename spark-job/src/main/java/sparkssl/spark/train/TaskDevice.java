package sparkssl.spark.train;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.spark.SparkConf;
import org.apache.spark.SparkEnv;
import org.apache.spark.TaskContext;
import org.apache.spark.resource.ResourceInformation;
import org.nd4j.linalg.api.buffer.DataType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sparkssl.model.Devices;
import sparkssl.model.FastPath;
import sparkssl.model.blocks.ConvLayers;

/**
 * The GPU Spark assigned to the running task, made ND4J's device for the task's thread. Spark
 * schedules GPUs ({@code spark.task.resource.gpu.amount}) but DL4J never reads the assignment:
 * without this every task of an executor would compute on its GPU 0. No GPU moves on the CPU
 * backend or without GPU scheduling; there the task's thread gets the task's CPU threads instead.
 */
public final class TaskDevice {
  static final String GPU = "gpu";
  static final String EXECUTOR_GPUS = "spark.executor.resource.gpu.amount";
  static final String TASK_GPUS = "spark.task.resource.gpu.amount";

  private static final Logger LOG = LoggerFactory.getLogger(TaskDevice.class);
  /** An executor says once, not for every task, that its GPU idles. */
  private static final AtomicBoolean GPU_IDLE_TOLD = new AtomicBoolean();

  private TaskDevice() {}

  /**
   * The convolution layers a run's networks are built from, decided on the driver for every worker
   * (parameter averaging adds their parameters and updater state element by element, so all share one
   * layout): DL4J's own when the configuration asks for GPU executors, where fused oneDNN layers cannot
   * run, even if this driver computes on its CPU; otherwise what this JVM's backend runs fastest.
   */
  public static ConvLayers convLayers(SparkConf conf) {
    return executorGpus(conf) > 0 ? ConvLayers.PLAIN : ConvLayers.forThisJvm(DataType.FLOAT);
  }

  private static double executorGpus(SparkConf conf) {
    return Double.parseDouble(conf.get(EXECUTOR_GPUS, "0"));
  }

  /**
   * Moves the calling task's thread to its assigned GPU, or on the CPU gives it the task's threads
   * ({@link TaskThreads}); returns the ND4J device it now computes on.
   */
  public static int bind() {
    int gpu = assignedGpu();
    if (gpu >= 0) {
      Devices.use(gpu);
    }
    if (gpuIdle() && !GPU_IDLE_TOLD.getAndSet(true)) {
      LOG.warn("Spark assigned this executor's tasks GPU {}, but {}: they train on the CPU, OFF the fast path, and the GPU idles",
          gpu, cpuBackendCause());
    }
    TaskThreads.bind();
    return Devices.current();
  }

  /**
   * Where a worker step ran, for the metrics: executor id and device, e.g. {@code 3: cuda:1 (NVIDIA
   * A100-SXM4-40GB)} or {@code driver: cpu (oneDNN)}; a GPU Spark assigned to a CPU-backend task is named as unused.
   */
  public static String describe(FastPath.Status status) {
    SparkEnv env = SparkEnv.get();
    String where = (env == null ? "?" : env.executorId()) + ": " + status.device();
    return gpuIdle() ? where + ", Spark GPU " + assignedGpu() + " unused (" + cpuBackendCause() + ")" : where;
  }

  /** Whether Spark gave the running task a GPU that ND4J cannot use: its backend is the CPU's. Such a step is off the fast path. */
  public static boolean gpuIdle() {
    return assignedGpu() >= 0 && !Devices.cuda();
  }

  /** Why ND4J runs its CPU backend here: the CUDA one failed to load (and why), or the jar has none. */
  private static String cpuBackendCause() {
    return Devices.cudaFallback().map(why -> "ND4J's CUDA backend failed to load and fell back to the CPU: " + why)
        .orElse("the job jar has no CUDA backend");
  }

  private static int assignedGpu() {
    TaskContext task = TaskContext.get();
    return task == null ? -1 : ordinal(task.resourcesJMap());
  }

  /** The first assigned GPU's CUDA ordinal; -1 when the task has none. A task trains one network on one GPU. */
  static int ordinal(Map<String, ResourceInformation> resources) {
    ResourceInformation gpu = resources.get(GPU);
    if (gpu == null || gpu.addresses().length == 0) {
      return -1;
    }
    String address = gpu.addresses()[0];
    try {
      return Integer.parseInt(address.trim());
    } catch (NumberFormatException e) {
      throw new IllegalStateException("Spark assigned this task GPU '" + address + "': the GPU discovery script must "
          + "report CUDA ordinals (0, 1, ...), as deploy/conf/getGpusResources.sh does", e);
    }
  }

  /**
   * What is wrong with a run's GPU scheduling for the driver's backend, one line each (empty when
   * nothing): {@code cuda} whether the driver runs CUDA, {@code cudaFallback} why its CUDA backend did
   * not load (empty when the jar has none).
   */
  public static List<String> schedulingProblems(SparkConf conf, boolean cuda, Optional<String> cudaFallback) {
    List<String> problems = new ArrayList<>();
    double executorGpus = executorGpus(conf);
    double taskGpus = Double.parseDouble(conf.get(TASK_GPUS, "0"));
    if (!cuda && executorGpus > 0 && cudaFallback.isEmpty()) {
      problems.add(EXECUTOR_GPUS + "=" + conf.get(EXECUTOR_GPUS) + " schedules GPUs, but the job jar has no CUDA backend: "
          + "executors will not use them. Build the job jar with mvn -Pcuda package");
    }
    if (!cuda && executorGpus > 0 && cudaFallback.isPresent()) {
      problems.add(EXECUTOR_GPUS + "=" + conf.get(EXECUTOR_GPUS) + " asks for GPU executors; on this driver ND4J's CUDA backend "
          + "failed to load and fell back to the CPU (" + cudaFallback.get() + "), right for a driver without a GPU: "
          + "the network is built from DL4J's own layers, which run on the GPUs, and the driver's own work (evaluation, "
          + "collapse metrics) runs them on its CPU, slower than fused oneDNN layers. An executor whose CUDA backend fails "
          + "the same way trains on its CPU, and its steps count as off the fast path");
    }
    if (cuda && taskGpus == 0) {
      problems.add("ND4J runs on CUDA but Spark schedules no GPUs (" + TASK_GPUS + " unset): every task computes on "
          + "its executor's GPU 0. Set " + EXECUTOR_GPUS + " and " + TASK_GPUS + " (deploy/conf/spark-defaults-gpu.conf)");
    }
    if (cuda && taskGpus > 1) {
      problems.add(TASK_GPUS + "=" + conf.get(TASK_GPUS) + ": a task trains one network on the first GPU it is given; "
          + "the others idle. Use 1 (or a fraction to share a GPU between tasks)");
    }
    return problems;
  }
}
