package sparkssl.job.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import sparkssl.job.CommandRun;
import sparkssl.job.LocalTrainRun;

/**
 * {@code benchmark-train} end to end: the real PyTorch twin (Debian's python3-torch) and the job in
 * real Spark local mode on 64 images of the bundled sample, batch 8, two epochs; then its refusals.
 */
class TrainBenchmarkCommandTest {
  private static String home;

  @TempDir
  Path tmp;

  /** The twin lives under the project's deploy/bench; the tests run in spark-job/. */
  @BeforeAll
  static void projectHome() {
    home = System.getProperty("sparkssl.home");
    System.setProperty("sparkssl.home", LocalTrainRun.SAMPLE.resolve("../../..").normalize().toString());
  }

  @AfterAll
  static void restoreHome() {
    if (home == null) {
      System.clearProperty("sparkssl.home");
    } else {
      System.setProperty("sparkssl.home", home);
    }
  }

  @Test
  void printsBothSteadyRatesAndTheirRatio() throws IOException {
    Path corpus = corpus(64);
    Set<Path> scratchBefore = scratchDirectories();

    CommandRun run = CommandRun.of("benchmark-train", "--corpus", corpus.toString(), "--batch-size", "8", "--cores", "2");

    assertEquals(0, run.code(), run.out() + run.err());
    assertTrue(run.out().contains("recipe: simclr, backbone small-cnn, preset small, 28 px"), run.out());
    double job = steady(run.out(), "spark-ssl", "local[2], 2 workers x 8, averaging every 4", 64);
    double twin = steady(run.out(), "PyTorch", "twin.py, batch 8, 2 threads, 1 loader process(es)", 64);
    double ratio = Double.parseDouble(line(run.out(), "ratio spark-ssl / PyTorch: ").replaceAll(".*: ([0-9.]+)x$", "$1"));
    // both rates are printed to 0.1 and the ratio to 0.01
    double tolerance = 0.005 + (job / twin) * (0.05 / job + 0.05 / twin);
    assertEquals(job / twin, ratio, tolerance, run.out());
    assertTrue(line(run.out(), "load average at start: ").matches("load average at start: \\S+ \\S+ \\S+; at end: \\S+ \\S+ \\S+"),
        run.out());
    assertTrue(scratchBefore.containsAll(scratchDirectories()), "the temporary run folder is deleted at the end");
  }

  @Test
  void aFailingTwinEndsWithItsStderrTailBeforeSparkStarts() throws IOException {
    Path python = tmp.resolve("python-without-torch");
    Files.writeString(python, "#!/bin/sh\necho 'Traceback (most recent call last):' >&2\n"
        + "echo \"ModuleNotFoundError: No module named 'torch'\" >&2\nexit 3\n");
    Files.setPosixFilePermissions(python, PosixFilePermissions.fromString("rwx------"));
    Path keep = tmp.resolve("kept");

    CommandRun run = CommandRun.of("benchmark-train", "--corpus", corpus(16).toString(), "--batch-size", "8", "--cores", "2",
        "--python", python.toString(), "--keep-runs", keep.toString());

    assertEquals(1, run.code(), run.err());
    assertTrue(run.err().contains("twin.py failed with exit code 3"), run.err());
    assertTrue(run.err().contains("  ModuleNotFoundError: No module named 'torch'"), run.err());
    assertFalse(Files.exists(keep.resolve("job")), "the job does not run after the twin failed");
  }

  @Test
  void badFlagsExitTwoInOneLineBeforeAnyWork() throws IOException {
    String corpus = corpus(16).toString();
    Path empty = Files.createDirectories(tmp.resolve("no-images"));
    Files.writeString(empty.resolve("notes.txt"), "not an image");
    Path occupied = Files.createDirectories(tmp.resolve("occupied"));
    Files.writeString(occupied.resolve("twin.jsonl"), "{}");
    // each case is fine but for its one fault (16 images make a step of 2 workers x 8)
    Map<List<String>, String> cases = new LinkedHashMap<>();
    cases.put(List.of("--corpus", tmp.resolve("missing").toString()), "is not a folder");
    cases.put(List.of("--corpus", empty.toString()), "no PNG/JPEG images");
    cases.put(List.of("--corpus", corpus, "--epochs", "1"), "--epochs must be >= 2");
    cases.put(List.of("--corpus", corpus, "--method", "dino"), "the PyTorch twin has simclr, byol, vicreg; got 'dino'");
    cases.put(List.of("--corpus", corpus, "--cores", "0"), "--cores must be >= 1");
    cases.put(List.of("--corpus", corpus, "--cores", "2", "--batch-size", "1"), "--batch-size must be >= 2");
    cases.put(List.of("--corpus", corpus, "--cores", "2", "--batch-size", "9"), "16 images, fewer than one step of the job (2 workers x 9)");
    cases.put(List.of("--corpus", corpus, "--cores", "2", "--batch-size", "8", "--keep-runs", occupied.toString()), "is not an empty folder");
    cases.forEach((args, message) -> {
      String[] all = Stream.concat(Stream.of("benchmark-train"), args.stream()).toArray(String[]::new);
      CommandRun run = CommandRun.of(all);
      assertEquals(2, run.code(), args + ": " + run.err());
      assertEquals(1, run.messages().size(), args + ": " + run.err());
      assertTrue(run.messages().get(0).contains(message), args + ": " + run.err());
    });
  }

  /** The first {@code count} images of the bundled sample's train folder, flat. */
  private Path corpus(int count) throws IOException {
    Path corpus = Files.createDirectories(tmp.resolve("corpus-" + count));
    try (Stream<Path> files = Files.walk(LocalTrainRun.SAMPLE.resolve("train"))) {
      for (Path image : files.filter(p -> p.toString().endsWith(".png")).sorted().limit(count).toList()) {
        Files.copy(image, corpus.resolve(image.getParent().getFileName() + "-" + image.getFileName()));
      }
    }
    return corpus;
  }

  /** A side's steady images/s after checking its row: setup, images per epoch, two epoch rates, the last one steady. */
  private static double steady(String out, String side, String setup, int images) {
    String row = line(out, side + " ");
    assertTrue(row.contains(setup), row);
    String[] cells = row.substring(row.indexOf(setup) + setup.length()).trim().split("\\s+");
    assertEquals(4, cells.length, "images/epoch, two epochs' images/s, steady images/s: " + row);
    assertEquals(images, Integer.parseInt(cells[0]), row);
    double steady = Double.parseDouble(cells[3]);
    assertTrue(steady > 0, row);
    assertEquals(cells[2], cells[3], "the steady state is the last epoch's rate: " + row);
    return steady;
  }

  private static String line(String out, String prefix) {
    return out.lines().filter(l -> l.startsWith(prefix)).findFirst()
        .orElseThrow(() -> new AssertionError("no line starting '" + prefix + "' in:\n" + out));
  }

  private static Set<Path> scratchDirectories() throws IOException {
    try (Stream<Path> entries = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
      return entries.filter(p -> p.getFileName().toString().startsWith("spark-ssl-benchmark-train")).collect(Collectors.toSet());
    }
  }
}
