package sparkssl.spark.train;

import org.apache.spark.TaskContext;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.nativeblas.NativeOpsHolder;
import sparkssl.model.Devices;

/**
 * CPU threads for the running task: as many as Spark gave it ({@code spark.task.cpus}, default 1).
 * Left alone, every task of an executor computes with one thread per core (OpenMP's default), so the
 * two tasks of {@code local[2]} run four threads on two cores, spinning against each other. OpenMP's
 * count is per calling thread (the oneDNN primitives of that task's network); ND4J's own op threads
 * are per process, the same for every task of an executor. (OpenBLAS runs single-threaded: FastPath.)
 */
final class TaskThreads {
  private TaskThreads() {}

  /** Gives the calling task's thread its {@code spark.task.cpus}; nothing outside a Spark task or on a GPU. */
  static void bind() {
    TaskContext task = TaskContext.get();
    if (task == null || Devices.cuda()) {
      return;
    }
    int cpus = Math.max(1, task.cpus());
    NativeOpsHolder.getInstance().getDeviceNativeOps().setOmpNumThreads(cpus);
    if (Nd4j.getEnvironment().maxThreads() != cpus) {
      Nd4j.getEnvironment().setMaxThreads(cpus);
      Nd4j.getEnvironment().setMaxMasterThreads(cpus);
    }
  }
}
