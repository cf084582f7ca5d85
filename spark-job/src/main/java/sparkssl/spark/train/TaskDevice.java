package sparkssl.spark.train;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.spark.SparkConf;
import org.apache.spark.SparkEnv;
import org.apache.spark.TaskContext;
import org.apache.spark.resource.ResourceInformation;
import sparkssl.model.Devices;
import sparkssl.model.FastPath;

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

  private TaskDevice() {}

  /**
   * Moves the calling task's thread to its assigned GPU, or on the CPU gives it the task's threads
   * ({@link TaskThreads}); returns the ND4J device it now computes on.
   */
  public static int bind() {
    int gpu = assignedGpu();
    if (gpu >= 0) {
      Devices.use(gpu);
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
    int gpu = assignedGpu();
    return status.cuda() == null && gpu >= 0 ? where + ", Spark GPU " + gpu + " unused (CPU backend)" : where;
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

  /** What is wrong with a run's GPU scheduling for the jar's backend, one line each (empty when nothing). */
  public static List<String> schedulingProblems(SparkConf conf, boolean cuda) {
    List<String> problems = new ArrayList<>();
    double executorGpus = Double.parseDouble(conf.get(EXECUTOR_GPUS, "0"));
    double taskGpus = Double.parseDouble(conf.get(TASK_GPUS, "0"));
    if (!cuda && executorGpus > 0) {
      problems.add(EXECUTOR_GPUS + "=" + conf.get(EXECUTOR_GPUS) + " schedules GPUs, but ND4J runs its CPU backend "
          + "here: executors will not use them. Build the job jar with mvn -Pcuda package");
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
