package sparkssl.spark.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.spark.SparkConf;
import org.apache.spark.resource.ResourceInformation;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.junit.jupiter.api.Test;
import sparkssl.model.Devices;
import sparkssl.model.FastPath;
import sparkssl.model.ModelOptions;
import sparkssl.model.SslNetwork;
import sparkssl.model.blocks.ConvLayers;

/** Spark's GPU assignment read as a CUDA ordinal, GPU settings checked against the jar's backend, and the layers they make the driver build. */
class TaskDeviceTest {

  private static Map<String, ResourceInformation> gpus(String... addresses) {
    return Map.of(TaskDevice.GPU, new ResourceInformation(TaskDevice.GPU, addresses));
  }

  @Test
  void theFirstAssignedGpuIsTheDevice() {
    assertEquals(-1, TaskDevice.ordinal(Map.of()));
    assertEquals(-1, TaskDevice.ordinal(Map.of("fpga", new ResourceInformation("fpga", new String[] {"0"}))));
    assertEquals(3, TaskDevice.ordinal(gpus("3")));
    assertEquals(1, TaskDevice.ordinal(gpus("1", "0")));
  }

  @Test
  void anAddressThatIsNoOrdinalIsAClearError() {
    IllegalStateException e = assertThrows(IllegalStateException.class,
        () -> TaskDevice.ordinal(gpus("GPU-5d1e6f7a-0000")));
    assertTrue(e.getMessage().contains("'GPU-5d1e6f7a-0000'") && e.getMessage().contains("CUDA ordinals"), e.getMessage());
  }

  @Test
  void gpuSettingsAreCheckedAgainstTheBackend() {
    SparkConf none = new SparkConf(false);
    SparkConf scheduled = new SparkConf(false).set(TaskDevice.EXECUTOR_GPUS, "2").set(TaskDevice.TASK_GPUS, "1");
    SparkConf shared = new SparkConf(false).set(TaskDevice.EXECUTOR_GPUS, "1").set(TaskDevice.TASK_GPUS, "0.5");
    SparkConf greedy = new SparkConf(false).set(TaskDevice.EXECUTOR_GPUS, "2").set(TaskDevice.TASK_GPUS, "2");

    assertEquals(List.of(), TaskDevice.schedulingProblems(none, false, Optional.empty()));
    assertEquals(List.of(), TaskDevice.schedulingProblems(scheduled, true, Optional.empty()));
    assertEquals(List.of(), TaskDevice.schedulingProblems(shared, true, Optional.empty()));

    List<String> cpuJar = TaskDevice.schedulingProblems(scheduled, false, Optional.empty());
    assertEquals(1, cpuJar.size());
    assertTrue(cpuJar.get(0).contains("no CUDA backend") && cpuJar.get(0).contains("mvn -Pcuda package"), cpuJar.get(0));
    List<String> unscheduled = TaskDevice.schedulingProblems(none, true, Optional.empty());
    assertEquals(1, unscheduled.size());
    assertTrue(unscheduled.get(0).contains("GPU 0"), unscheduled.get(0));
    List<String> twoPerTask = TaskDevice.schedulingProblems(greedy, true, Optional.empty());
    assertEquals(1, twoPerTask.size());
    assertTrue(twoPerTask.get(0).startsWith(TaskDevice.TASK_GPUS + "=2"), twoPerTask.get(0));
  }

  /**
   * The README's layout: the CUDA jar everywhere, a driver without a GPU (ND4J's CUDA backend fails
   * to load there and falls back to the CPU), GPU executors. The warning names that cause, not a jar
   * without CUDA.
   */
  @Test
  void aCpuDriverOfTheCudaJarIsToldWhyItsCudaBackendDidNotLoad() {
    SparkConf scheduled = new SparkConf(false).set(TaskDevice.EXECUTOR_GPUS, "1").set(TaskDevice.TASK_GPUS, "1");
    List<String> problems = TaskDevice.schedulingProblems(scheduled, false,
        Optional.of("libcuda.so.1: cannot open shared object file: No such file or directory"));
    assertEquals(1, problems.size(), problems.toString());
    assertTrue(problems.get(0).contains("CUDA backend failed to load") && problems.get(0).contains("libcuda.so.1")
        && problems.get(0).contains("DL4J's own layers") && !problems.get(0).contains("mvn -Pcuda"), problems.get(0));
  }

  /** The driver decides the layers from the configuration: GPU executors asked for, DL4J's own, though it computes on a CPU. */
  @Test
  void aCpuDriverAskedForGpuExecutorsBuildsDl4jsOwnLayers() {
    assumeFalse(Devices.cuda(), "a CPU driver");
    SparkConf gpuExecutors = new SparkConf(false).set(TaskDevice.EXECUTOR_GPUS, "1");
    assertEquals(ConvLayers.PLAIN, TaskDevice.convLayers(gpuExecutors));
    assertEquals(ConvLayers.FUSED, TaskDevice.convLayers(new SparkConf(false)));
    FastPath.Status status = FastPath.status(SslNetwork.create(new ModelOptions(), TaskDevice.convLayers(gpuExecutors)));
    assertEquals(0, status.fusedLayers(), status.toString());
    assertEquals(3, status.convLayers(), status.toString());
    assertEquals(3, status.bnLayers(), status.toString());
  }

  /** A fused network reaching an executor whose ND4J runs CUDA fails its first task, naming the cause and the way out. */
  @Test
  void aFusedNetworkOnACudaExecutorIsRefusedNamingTheCause() {
    assumeFalse(Devices.cuda(), "fused layers are built on a CPU driver");
    String cuda = "cuda, devices [0: NVIDIA H100 80GB HBM3]";
    ComputationGraphConfiguration fused = SslNetwork.create(new ModelOptions(), ConvLayers.FUSED).getConfiguration();
    ComputationGraphConfiguration plain = SslNetwork.create(new ModelOptions(), ConvLayers.PLAIN).getConfiguration();
    assertNull(WorkerNetworks.refusal(fused, null), "the CPU backend runs fused layers");
    assertNull(WorkerNetworks.refusal(plain, cuda));
    String refusal = WorkerNetworks.refusal(fused, cuda);
    assertTrue(refusal.contains("fused oneDNN convolution layers") && refusal.contains(cuda)
        && refusal.contains(TaskDevice.EXECUTOR_GPUS) && refusal.contains("-D" + ConvLayers.PROPERTY + "=false"), refusal);
  }
}
