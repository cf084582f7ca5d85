package sparkssl.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The launcher runs the job with Spark's jars from Maven; the shaded jar carries none of Spark's classes. */
class LauncherIT {
  @TempDir
  Path tmp;

  private Processes.Result launch(String... args) throws Exception {
    return Processes.run(tmp.resolve("launcher-" + System.nanoTime() + ".log"), 120,
        Processes.list(Processes.ROOT.resolve("deploy/bin/spark-ssl").toString(), List.of(args)));
  }

  @Test
  void helpWorksWithoutASparkInstallation() throws Exception {
    Processes.Result top = launch("--help");
    assertEquals(0, top.code(), top.output());
    assertTrue(top.output().contains("train") && top.output().contains("prepare-fashion-mnist"), top.output());
    Processes.Result train = launch("train", "--help");
    assertEquals(0, train.code(), train.output());
    assertTrue(train.output().contains("--averaging-frequency"), train.output());
  }

  @Test
  void badFlagExitsTwo() throws Exception {
    Processes.Result r = launch("train", "--batch-size", "1");
    assertEquals(2, r.code(), r.output());
    assertTrue(r.output().contains("--batch-size must be >= 2"), r.output());
  }

  @Test
  void shadedJarHoldsNoClassOfSparkScalaOrHadoop() throws IOException {
    Set<String> platform = new HashSet<>();
    try (Stream<Path> jars = Files.list(Processes.SPARK_HOME.resolve("jars"))) {
      for (Path jar : jars.filter(p -> {
        String n = p.getFileName().toString();
        return n.startsWith("spark-") || n.startsWith("scala-") || n.startsWith("hadoop-");
      }).toList()) {
        try (ZipFile z = new ZipFile(jar.toFile())) {
          z.stream().map(ZipEntry::getName).filter(n -> n.endsWith(".class")).forEach(platform::add);
        }
      }
    }
    assertTrue(platform.size() > 10000, "Spark's jars were not found in " + Processes.SPARK_HOME);
    try (ZipFile job = new ZipFile(Processes.JOB_JAR.toFile())) {
      List<String> clashes = job.stream().map(ZipEntry::getName).filter(platform::contains).limit(10).toList();
      assertEquals(List.of(), clashes);
      assertTrue(job.getEntry("sparkssl/job/Main.class") != null);
    }
  }
}
