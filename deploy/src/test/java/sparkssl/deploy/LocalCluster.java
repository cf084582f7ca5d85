package sparkssl.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A real standalone cluster for one test class: a master and workers (two of 1 core unless told), each its own JVM,
 * started by deploy/bin/local-cluster on free ports and stopped by the PIDs that script recorded.
 */
final class LocalCluster implements AutoCloseable {
  private static final Path SCRIPT = Processes.ROOT.resolve("deploy/bin/local-cluster");

  /** The master URL, {@code spark://127.0.0.1:PORT}. */
  final String master;
  private final Path dir;

  private LocalCluster(Path dir, String master) {
    this.dir = dir;
    this.master = master;
  }

  /** Starts the cluster with its state (PIDs, logs) under {@code dir}; returns once both workers registered. */
  static LocalCluster start(Path dir) throws Exception {
    return start(dir, 2, 1, null);
  }

  /** {@code workers} workers of {@code cores} cores, given the Spark properties in {@code workerConf} (or none). */
  static LocalCluster start(Path dir, int workers, int cores, Path workerConf) throws Exception {
    int port = Processes.freePort();
    List<String> command = new ArrayList<>(List.of(
        SCRIPT.toString(), "start", "--workers", String.valueOf(workers), "--cores", String.valueOf(cores),
        "--memory", "1500m", "--port", String.valueOf(port), "--webui-port", String.valueOf(Processes.freePort()),
        "--state", dir.toString()));
    if (workerConf != null) {
      command.addAll(List.of("--worker-conf", workerConf.toString()));
    }
    Processes.Result started = Processes.run(dir.resolveSibling(dir.getFileName() + "-start.log"), 120, command);
    assertEquals(0, started.code(), started.output());
    String master = "spark://127.0.0.1:" + port;
    assertTrue(started.output().contains(master), started.output());
    return new LocalCluster(dir, master);
  }

  @Override
  public void close() throws Exception {
    Processes.run(dir.resolveSibling(dir.getFileName() + "-stop.log"), 60,
        List.of(SCRIPT.toString(), "stop", "--state", dir.toString()));
  }
}
