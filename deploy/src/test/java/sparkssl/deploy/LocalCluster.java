package sparkssl.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * A real standalone cluster for one test class: a master and workers (two of 1 core unless told), each its own JVM,
 * started by deploy/bin/local-cluster on free ports and stopped by the PIDs that script recorded.
 * Executors are the workers' child JVMs; their logs lie in the workers' work folders.
 */
final class LocalCluster implements AutoCloseable {
  private static final Path SCRIPT = Processes.ROOT.resolve("deploy/bin/local-cluster");
  private static final String EXECUTOR_MAIN = "org.apache.spark.executor.CoarseGrainedExecutorBackend";

  /** The master URL, {@code spark://127.0.0.1:PORT}. */
  final String master;
  private final Path dir;

  private LocalCluster(Path dir, String master) {
    this.dir = dir;
    this.master = master;
  }

  /** Starts the cluster with its state (PIDs, logs, work folders) under {@code dir}; returns once both workers registered. */
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
    LocalCluster cluster = new LocalCluster(dir, master);
    // also when the test JVM dies before its @AfterAll (an OutOfMemoryError, a timeout); stopping twice is harmless
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      try {
        cluster.close();
      } catch (Exception e) {
        System.err.println("could not stop the cluster in " + dir + ": " + e);
      }
    }));
    return cluster;
  }

  /**
   * spark-submit to this cluster in client mode with one 1-core executor of 1 GiB per worker and no
   * web UI: {@code parts} are more spark-submit options, the job jar and its arguments.
   */
  List<String> submit(Object... parts) throws IOException {
    return Processes.sparkSubmit(master,
        "--conf", "spark.executor.memory=1g", "--conf", "spark.executor.cores=1", "--conf", "spark.cores.max=2",
        "--conf", "spark.ui.enabled=false", "--conf", "spark.driver.host=127.0.0.1", Processes.list(parts));
  }

  /** An executor JVM of this cluster: the worker's child process, its id and application. */
  record Executor(ProcessHandle process, String id, String app) {
    /** The executor's stderr (Spark's INFO log) in its worker's work folder. */
    Path stderr(LocalCluster cluster) throws IOException {
      try (Stream<Path> s = Files.walk(cluster.dir)) {
        return s.filter(p -> p.endsWith(Path.of(app, id, "stderr"))).findFirst()
            .orElseThrow(() -> new IOException("no stderr of executor " + id + " of " + app));
      }
    }
  }

  /** The executor JVMs running now: children of the workers this cluster started, nothing else. */
  List<Executor> executors() throws IOException {
    List<Executor> out = new ArrayList<>();
    try (Stream<Path> pids = Files.list(dir)) {
      for (Path pidFile : pids.filter(p -> p.getFileName().toString().matches("worker-\\d+\\.pid")).sorted().toList()) {
        ProcessHandle.of(Long.parseLong(Files.readString(pidFile).trim())).ifPresent(worker ->
            worker.descendants().forEach(child -> {
              List<String> args = List.of(child.info().arguments().orElse(new String[0]));
              if (args.contains(EXECUTOR_MAIN)) {
                out.add(new Executor(child, args.get(args.indexOf("--executor-id") + 1), args.get(args.indexOf("--app-id") + 1)));
              }
            }));
      }
    }
    return out;
  }

  /** Every file the cluster wrote: master and worker logs, executors' stdout and stderr, their work folders. */
  List<Path> files() throws IOException {
    try (Stream<Path> s = Files.walk(dir)) {
      return s.filter(Files::isRegularFile).collect(Collectors.toList());
    }
  }

  @Override
  public void close() throws Exception {
    Processes.run(dir.resolveSibling(dir.getFileName() + "-stop.log"), 60,
        List.of(SCRIPT.toString(), "stop", "--state", dir.toString()));
  }
}
