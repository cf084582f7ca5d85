package sparkssl.spark.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.apache.spark.SparkConf;
import org.apache.spark.resource.ResourceInformation;
import org.junit.jupiter.api.Test;

/** Spark's GPU assignment read as a CUDA ordinal, and GPU settings checked against the jar's backend. */
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

    assertEquals(List.of(), TaskDevice.schedulingProblems(none, false));
    assertEquals(List.of(), TaskDevice.schedulingProblems(scheduled, true));
    assertEquals(List.of(), TaskDevice.schedulingProblems(shared, true));

    List<String> cpuJar = TaskDevice.schedulingProblems(scheduled, false);
    assertEquals(1, cpuJar.size());
    assertTrue(cpuJar.get(0).contains("mvn -Pcuda package"), cpuJar.get(0));
    List<String> unscheduled = TaskDevice.schedulingProblems(none, true);
    assertEquals(1, unscheduled.size());
    assertTrue(unscheduled.get(0).contains("GPU 0"), unscheduled.get(0));
    List<String> twoPerTask = TaskDevice.schedulingProblems(greedy, true);
    assertEquals(1, twoPerTask.size());
    assertTrue(twoPerTask.get(0).startsWith(TaskDevice.TASK_GPUS + "=2"), twoPerTask.get(0));
  }
}
