package sparkssl.model;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.nd4j.common.config.ND4JClassLoading;
import org.nd4j.linalg.api.environment.Nd4jEnvironment;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.factory.Nd4jBackend;

/**
 * ND4J's compute devices: which backend this JVM runs (the jar's: {@code nd4j-native} for CPUs, or
 * {@code nd4j-cuda-11.6} from {@code mvn -Pcuda package}), which device the calling thread computes
 * on, and moving the thread to another GPU. ND4J binds devices per thread; DL4J does not read
 * Spark's GPU assignment, so a Spark task must call {@link #use(int)} itself.
 */
public final class Devices {
  private static final Map<Integer, String> NAMES = new ConcurrentHashMap<>();
  /** ND4J's CUDA backend, in jars built with {@code -Pcuda}. */
  private static final String CUDA_BACKEND = "org.nd4j.linalg.jcublas.JCublasBackend";
  private static volatile Optional<String> cudaFallback;

  private Devices() {}

  public static boolean cuda() {
    return !Nd4j.getEnvironment().isCPU();
  }

  /**
   * Why ND4J runs its CPU backend although the jar carries the CUDA one, e.g. {@code libcuda.so.1:
   * cannot open shared object file} (no GPU, no driver, missing CUDA libraries); empty when ND4J runs
   * CUDA or the jar has no CUDA backend. ND4J only logs the reason as it falls back, so the CUDA
   * backend is asked again, once per JVM.
   */
  public static Optional<String> cudaFallback() {
    if (cuda()) {
      return Optional.empty();
    }
    if (cudaFallback == null) {
      cudaFallback = askCudaBackend();
    }
    return cudaFallback;
  }

  private static Optional<String> askCudaBackend() {
    for (Nd4jBackend backend : ServiceLoader.load(Nd4jBackend.class, ND4JClassLoading.getNd4jClassloader())) {
      if (backend.getClass().getName().equals(CUDA_BACKEND)) {
        try {
          return Optional.of(backend.isAvailable() && backend.canRun() ? "ND4J chose another backend" : "it reports itself unavailable");
        } catch (Exception | LinkageError e) {
          return Optional.of(String.valueOf(e.getMessage()));
        }
      }
    }
    return Optional.empty();
  }

  /** The calling thread's device ordinal; always 0 on the CPU backend. */
  public static int current() {
    return Nd4j.getAffinityManager().getDeviceForCurrentThread();
  }

  /** Every device of the backend, e.g. {@code cuda, devices [0: NVIDIA A100-SXM4-40GB, 1: ...]}, or {@code cpu}. */
  public static String describeAll() {
    if (!cuda()) {
      return "cpu";
    }
    int n = Nd4j.getAffinityManager().getNumberOfDevices();
    return IntStream.range(0, n).mapToObj(d -> d + ": " + name(d)).collect(Collectors.joining(", ", "cuda, devices [", "]"));
  }

  /** The calling thread's GPU, e.g. {@code cuda:1 (NVIDIA A100-SXM4-40GB)}; only meaningful on CUDA. */
  public static String describeCurrent() {
    int d = current();
    return "cuda:" + d + " (" + name(d) + ")";
  }

  /**
   * Makes the calling thread compute on GPU {@code ordinal} from now on; nothing to do on the CPU
   * backend. Workspaces the thread opened on another GPU are dropped first: their memory lives there.
   */
  public static void use(int ordinal) {
    if (!cuda() || ordinal == current()) {
      return;
    }
    int n = Nd4j.getAffinityManager().getNumberOfDevices();
    if (ordinal < 0 || ordinal >= n) {
      throw new IllegalStateException("GPU " + ordinal + " was assigned, but ND4J sees " + n + " CUDA device(s) ("
          + describeAll() + "): the discovery script must report CUDA ordinals of this machine");
    }
    Nd4j.getWorkspaceManager().destroyAllWorkspacesForCurrentThread();
    Nd4j.getAffinityManager().unsafeSetDevice(ordinal);
  }

  private static String name(int device) {
    return NAMES.computeIfAbsent(device, d -> {
      Object info = Nd4j.getExecutioner().getEnvironmentInformation().get(Nd4jEnvironment.CUDA_DEVICE_INFORMATION_KEY);
      if (info instanceof List<?> devices && d < devices.size() && devices.get(d) instanceof Map<?, ?> props) {
        return String.valueOf(props.get(Nd4jEnvironment.CUDA_DEVICE_NAME_KEY));
      }
      return "unknown GPU";
    });
  }
}
