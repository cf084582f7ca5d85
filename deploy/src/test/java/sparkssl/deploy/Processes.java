package sparkssl.deploy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Runs the project's scripts and JVMs as child processes, with output to a log file. */
final class Processes {
  static final Path ROOT = Paths.get(System.getProperty("sparkssl.repoRoot", "..")).toAbsolutePath().normalize();
  static final Path SPARK_HOME = Paths.get(System.getProperty("sparkssl.sparkHome", "target/spark-home")).toAbsolutePath();
  static final Path JOB_JAR = Paths.get(System.getProperty("sparkssl.jobJar", "../spark-job/target/spark-ssl-job.jar")).toAbsolutePath();

  private Processes() {}

  /** Result of a finished process. */
  record Result(int code, String output) {}

  static Result run(Path log, long timeoutSeconds, List<String> command) throws IOException, InterruptedException {
    return run(log, timeoutSeconds, Map.of(), command);
  }

  /** Runs {@code command} with {@code env} added to this JVM's environment. */
  static Result run(Path log, long timeoutSeconds, Map<String, String> env, List<String> command)
      throws IOException, InterruptedException {
    Process p = start(log, env, command);
    if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
      p.descendants().forEach(ProcessHandle::destroyForcibly);
      p.destroyForcibly().waitFor();
      throw new AssertionError("timed out after " + timeoutSeconds + " s: " + command + "\n" + tail(log));
    }
    return new Result(p.exitValue(), Files.readString(log, StandardCharsets.UTF_8));
  }

  static List<String> javaOpens() throws IOException {
    return Files.readAllLines(ROOT.resolve("deploy/conf/java17-opens.txt")).stream()
        .filter(l -> !l.isBlank()).collect(java.util.stream.Collectors.toList());
  }

  /**
   * spark-submit of the job in client mode, run as Spark's own SparkSubmit in a JVM of Maven's Spark
   * jars with a 1 GiB driver: {@code parts} are spark-submit's options, the job jar and its arguments.
   */
  static List<String> sparkSubmit(String master, Object... parts) throws IOException {
    return list("java", "-Xmx1g", javaOpens(),
        "-Dlog4j.configurationFile=" + ROOT.resolve("deploy/conf/log4j2.properties"),
        "-cp", SPARK_HOME.resolve("jars") + "/*",
        "org.apache.spark.deploy.SparkSubmit",
        "--master", master, "--deploy-mode", "client", "--class", "sparkssl.job.Main", list(parts));
  }

  static List<String> list(Object... parts) {
    List<String> out = new ArrayList<>();
    for (Object p : parts) {
      if (p instanceof List<?> l) {
        l.forEach(x -> out.add(String.valueOf(x)));
      } else {
        out.add(String.valueOf(p));
      }
    }
    return out;
  }

  static String tail(Path log) {
    try {
      String s = Files.readString(log, StandardCharsets.UTF_8);
      return s.length() > 6000 ? s.substring(s.length() - 6000) : s;
    } catch (IOException e) {
      return "(no log: " + e + ")";
    }
  }

  static int freePort() throws IOException {
    try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  /**
   * Starts {@code command} with {@code env} added to this JVM's environment and its output to
   * {@code log}, and returns at once; the caller waits and stops it.
   */
  static Process start(Path log, Map<String, String> env, List<String> command) throws IOException {
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
    pb.environment().put("SPARK_LOCAL_IP", "127.0.0.1");
    pb.environment().putAll(env);
    return pb.start();
  }
}
