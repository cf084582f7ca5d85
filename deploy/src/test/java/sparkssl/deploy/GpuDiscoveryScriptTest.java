package sparkssl.deploy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.spark.resource.ResourceInformation;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * deploy/conf/getGpusResources.sh, read by Spark's own parser. No GPU here: a stand-in {@code nvidia-smi}
 * prints what the real one prints for {@code --query-gpu=index --format=csv,noheader}, and the PATH
 * holds only it, bash and grep, so a real nvidia-smi on the machine cannot interfere.
 */
class GpuDiscoveryScriptTest {
  private static final Path SCRIPT = Processes.ROOT.resolve("deploy/conf/getGpusResources.sh");

  @TempDir
  Path bin;

  private record Run(int code, String out, String err) {}

  private Run discover(Map<String, String> env, String nvidiaSmi) throws IOException, InterruptedException {
    for (String tool : new String[] {"bash", "grep"}) {
      Path link = bin.resolve(tool);
      if (!Files.exists(link)) {
        Files.createSymbolicLink(link, Path.of("/usr/bin", tool).toRealPath());
      }
    }
    Path smi = bin.resolve("nvidia-smi");
    Files.deleteIfExists(smi);
    if (nvidiaSmi != null) {
      Files.writeString(smi, "#!/usr/bin/env bash\n" + nvidiaSmi + "\n");
      Files.setPosixFilePermissions(smi, PosixFilePermissions.fromString("rwxr-xr-x"));
    }
    ProcessBuilder pb = new ProcessBuilder(SCRIPT.toString());
    pb.environment().clear();
    pb.environment().put("PATH", bin.toString());
    pb.environment().putAll(env);
    Path out = bin.resolve("out.txt");
    Path err = bin.resolve("err.txt");
    Process p = pb.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
    assertTrue(p.waitFor(30, TimeUnit.SECONDS), "the script returned");
    return new Run(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
  }

  private static String[] addresses(Run run) {
    assertEquals(0, run.code(), run.err());
    ResourceInformation gpus = ResourceInformation.parseJson(run.out());
    assertEquals("gpu", gpus.name());
    return gpus.addresses();
  }

  @Test
  void reportsEveryGpuNvidiaSmiListsAsCudaOrdinals() throws Exception {
    assertArrayEquals(new String[] {"0", "1", "2", "3"}, addresses(discover(Map.of(), "printf '0\\n1\\n2\\n3\\n'")));
    assertArrayEquals(new String[] {}, addresses(discover(Map.of(), "true")));
  }

  @Test
  void cudaVisibleDevicesRenumbersFromZero() throws Exception {
    assertArrayEquals(new String[] {"0", "1"}, addresses(discover(Map.of("CUDA_VISIBLE_DEVICES", "5,7"), "exit 1")));
    assertArrayEquals(new String[] {"0"}, addresses(discover(Map.of("CUDA_VISIBLE_DEVICES", "GPU-8f3c,-1,2"), null)));
    assertArrayEquals(new String[] {}, addresses(discover(Map.of("CUDA_VISIBLE_DEVICES", ""), null)));
  }

  @Test
  void withoutAWorkingDriverItFailsWithAReason() throws Exception {
    Run missing = discover(Map.of(), null);
    assertEquals(1, missing.code());
    assertTrue(missing.err().contains("nvidia-smi not found"), missing.err());
    Run broken = discover(Map.of(), "echo \"NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver\"; exit 9");
    assertEquals(1, broken.code());
    assertTrue(broken.err().contains("couldn't communicate with the NVIDIA driver"), broken.err());
  }
}
