package sparkssl.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * deploy/conf/spark-defaults-gpu.conf and getGpusResources.sh on a real standalone cluster. There is
 * no GPU here: the worker's discovery runs the real script with CUDA_VISIBLE_DEVICES=0,1, so Spark
 * schedules two GPUs that do not exist, and the job (built for the CPU backend) trains on the CPU.
 * What this shows: Spark accepts the template's settings and the script's output, hands each of two
 * concurrent tasks its own GPU, and the job reads that assignment on the executor, reports it in the
 * metrics, warns that a CPU-backend jar leaves the GPUs unused and counts those steps off the fast
 * path; the driver builds DL4J's own layers for the GPU executors. That a CUDA jar then computes on
 * the assigned GPU is not shown (see the README on what is verified on GPUs).
 */
class GpuSchedulingIT {
  @TempDir
  Path tmp;

  @Test
  void eachTaskIsHandedItsOwnGpuAndTheJobReportsIt() throws Exception {
    Path discovery = tmp.resolve("two-gpus.sh");
    Files.writeString(discovery, "#!/usr/bin/env bash\nCUDA_VISIBLE_DEVICES=0,1 exec "
        + Processes.ROOT.resolve("deploy/conf/getGpusResources.sh") + "\n");
    Files.setPosixFilePermissions(discovery, PosixFilePermissions.fromString("rwxr-xr-x"));
    Path workerConf = tmp.resolve("worker.conf");
    Files.writeString(workerConf, "spark.worker.resource.gpu.amount 2\nspark.worker.resource.gpu.discoveryScript "
        + discovery + "\n");
    Path corpus = Sample.slice("train", tmp.resolve("corpus"), 4);
    Path runDir = tmp.resolve("run");

    try (LocalCluster cluster = LocalCluster.start(tmp.resolve("cluster"), 1, 2, workerConf)) {
      // the template as shipped, but for what this machine has: one executor of 2 cores holding both GPUs
      Path driverLog = tmp.resolve("driver.log");
      Processes.Result submitted = Processes.run(driverLog, 600, Processes.sparkSubmit(cluster.master,
          "--properties-file", Processes.ROOT.resolve("deploy/conf/spark-defaults-gpu.conf"),
          "--conf", "spark.executor.cores=2", "--conf", "spark.task.cpus=1", "--conf", "spark.executor.memory=1g",
          "--conf", "spark.executor.resource.gpu.amount=2", "--conf", "spark.executor.resource.gpu.discoveryScript=" + discovery,
          "--conf", "spark.ui.enabled=false", "--conf", "spark.driver.host=127.0.0.1",
          Processes.JOB_JAR.toString(),
          "train", "--corpus", corpus.toUri(), "--run-dir", runDir.toUri(), "--skip-eval", "--epochs", "1",
          "--batch-size", "4", "--workers", "2", "--averaging-frequency", "1"));
      String log = Processes.tail(driverLog);
      assertEquals(0, submitted.code(), log);
      assertTrue(log.contains("spark.executor.resource.gpu.amount=2 schedules GPUs, but the job jar has no CUDA backend"), log);

      JsonNode epoch = new ObjectMapper().readTree(Files.readAllLines(runDir.resolve("metrics.jsonl")).get(0));
      Set<String> devices = new TreeSet<>();
      epoch.get("devices").forEach(d -> devices.add(d.asText()));
      assertEquals(Set.of("0: cpu (oneDNN), Spark GPU 0 unused (the job jar has no CUDA backend)",
          "0: cpu (oneDNN), Spark GPU 1 unused (the job jar has no CUDA backend)"),
          devices, "both GPUs were handed out, one per concurrent task: " + epoch);
      assertEquals(epoch.get("worker_steps").asLong(), epoch.get("slow_path_steps").asLong(), "a GPU that idles is off the fast path: " + epoch);
    }
  }
}
