package sparkssl.spark.run;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Starts a class of the test classpath as a JVM of its own (the Java 17 flags of this JVM, its
 * classpath, the job's console logging), with its output in a file, so a test can kill it by its PID.
 */
public final class ChildJvm {
  private ChildJvm() {}

  public static Process start(Path log, Class<?> main, String... args) throws IOException {
    return start(log, Map.of(), main, args);
  }

  /** As {@link #start(Path, Class, String...)}, with {@code env} added to this JVM's environment. */
  public static Process start(Path log, Map<String, String> env, Class<?> main, String... args) throws IOException {
    List<String> command = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx1g"));
    for (String flag : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
      if (flag.startsWith("--add-opens") || flag.startsWith("-XX:+IgnoreUnrecognizedVMOptions") || flag.startsWith("-Djdk.")
          || flag.startsWith("-Dio.netty")) {
        command.add(flag);
      }
    }
    command.add("-Dlog4j.configurationFile=" + Path.of("..", "deploy", "conf", "log4j2.properties").toAbsolutePath().normalize());
    command.addAll(List.of("-cp", System.getProperty("java.class.path"), main.getName()));
    command.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
    pb.environment().put("SPARK_LOCAL_IP", "127.0.0.1");
    pb.environment().putAll(env);
    return pb.start();
  }
}
