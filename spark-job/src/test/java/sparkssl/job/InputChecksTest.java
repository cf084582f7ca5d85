package sparkssl.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Each bad input to {@code train} is refused before any training with exit code 2 and one line on
 * stderr that names the option and what is wrong, and no stack trace; the run directory stays as it was.
 */
class InputChecksTest {
  @TempDir
  Path tmp;

  /** Two images of each class of the bundled sample: a good corpus and a good evaluation folder. */
  private Path slice;

  @BeforeEach
  void slice() throws IOException {
    slice = tmp.resolve("slice");
    LocalModeJobTest.copySlice(LocalTrainRun.SAMPLE.resolve("train"), slice, 2);
  }

  @Test
  void badCorpusIsRefused() throws IOException {
    Path noImages = Files.createDirectories(tmp.resolve("no-images"));
    Files.writeString(noImages.resolve("README.txt"), "text");
    Path broken = Files.createDirectories(tmp.resolve("broken"));
    Files.writeString(broken.resolve("a.png"), "not a png");
    Files.write(broken.resolve("b.jpg"), new byte[0]);
    byte[] png = Files.readAllBytes(image());
    Files.write(broken.resolve("c.png"), Arrays.copyOf(png, png.length / 2));

    refused(List.of("--corpus", tmp.resolve("missing").toUri().toString()), "--corpus", "does not exist");
    refused(List.of("--corpus", noImages.toUri().toString()), "--corpus", "holds no PNG or JPEG images");
    refused(List.of("--corpus", broken.toUri().toString()), "--corpus", "0 of the first 3 images decode, 3 skipped, e.g. ",
        "a.png (NOT_AN_IMAGE: not a PNG or JPEG)", "b.jpg (EMPTY: zero bytes)", "c.png (CORRUPT: ");
  }

  @Test
  void evalFoldersNeedOneSubfolderOfImagesPerClass() throws IOException {
    Path flat = Files.createDirectories(tmp.resolve("flat"));
    Files.copy(image(), flat.resolve("1.png"));
    Files.copy(image(), flat.resolve("2.png"));
    Path oneClass = Files.createDirectories(tmp.resolve("one-class/cat"));
    Files.copy(image(), oneClass.resolve("1.png"));
    Path emptyClass = Files.createDirectories(tmp.resolve("empty-class"));
    Files.createDirectories(emptyClass.resolve("cat"));
    Files.copy(image(), Files.createDirectories(emptyClass.resolve("dog")).resolve("1.png"));
    Path otherClasses = Files.createDirectories(tmp.resolve("other-classes"));
    Files.copy(image(), Files.createDirectories(otherClasses.resolve("cow")).resolve("1.png"));
    String bank = slice.toUri().toString();

    refused(List.of("--eval-train", tmp.resolve("missing").toUri().toString()), "--eval-train", "does not exist");
    refused(List.of("--eval-train", flat.toUri().toString()), "--eval-train", "holds 2 images outside class folders");
    refused(List.of("--eval-test", flat.toUri().toString()), "--eval-test", "holds 2 images outside class folders");
    refused(List.of("--eval-train", tmp.resolve("one-class").toUri().toString()), "--eval-train",
        "has 1 class folder, k-NN needs at least 2");
    refused(List.of("--eval-train", emptyClass.toUri().toString()), "--eval-train", "class folder 'cat' holds no PNG or JPEG files");
    refused(List.of("--eval-train", bank, "--eval-test", otherClasses.toUri().toString()), "--eval-test",
        "has classes that --eval-train " + bank + " lacks, which k-NN could never predict: cow");
  }

  /** The probe holds out a tenth of the bank to choose its regularisation: it needs two classes, and a class per held-out image. */
  @Test
  void aBankTheLinearProbeCannotUseIsRefused() throws IOException {
    Path oneClass = Files.createDirectories(tmp.resolve("one-class/cat"));
    for (int i = 0; i < 30; i++) {
      Files.copy(image(), oneClass.resolve(i + ".png"));
    }
    refused(List.of("--eval-protocol", "linear", "--eval-train", tmp.resolve("one-class").toUri().toString()), "--eval-train",
        "the linear probe needs at least 2 classes, got 1");
    refused(List.of("--eval-protocol", "knn,linear"), "--eval-train " + slice.toUri(),
        "20 images in 10 classes are too few for the linear probe: it holds out 10% (2) to choose its regularisation",
        "so at least 100 images");
    Path enough = tmp.resolve("enough");
    LocalModeJobTest.copySlice(LocalTrainRun.SAMPLE.resolve("train"), enough, 10);
    refused(List.of("--eval-protocol", "knn,linear", "--eval-train", enough.toUri().toString(), "--eval-test",
        tmp.resolve("missing").toUri().toString()), "--eval-test", "does not exist");
  }

  @Test
  void aRunDirectoryThatHoldsARunIsRefusedWithoutResume() throws IOException {
    Path run = Files.createDirectories(tmp.resolve("run"));
    Files.writeString(run.resolve("config.json"), "{}");
    refused(List.of("--run-dir", run.toString()), "--run-dir", "already holds a run (config.json): add --resume");
    assertEquals(List.of(run.resolve("config.json")), Files.list(run).toList(), "nothing written");
    Path file = Files.writeString(tmp.resolve("a-file"), "x");
    refused(List.of("--run-dir", file.toString()), "--run-dir", "is a file, not a directory");
  }

  @Test
  void inconsistentOptionsAreRefused() {
    refused(List.of("--resume"), "--resume", "needs --run-dir");
    refused(List.of("--keep-checkpoints", "0"), "--keep-checkpoints", "must be >= 1");
    refused(List.of("--skip-eval", "--eval-every", "2"), "--eval-every", "--skip-eval turns off");
  }

  @Test
  void aCorpusSmallerThanOneGlobalBatchIsRefused() throws IOException {
    Path small = Files.createDirectories(tmp.resolve("small"));
    for (int i = 0; i < 5; i++) {
      Files.copy(image(), small.resolve(i + ".png"));
    }
    refused(List.of("--corpus", small.toUri().toString(), "--batch-size", "4", "--workers", "2", "--skip-eval",
        "--master", "local[2]", "--conf", "spark.ui.enabled=false"), "the corpus", "5 image files, fewer than one global batch (2 workers x --batch-size 4)");
  }

  @Test
  void aRunDirectoryThatCannotBeWrittenIsAnEnvironmentFailure() throws IOException {
    Path file = Files.writeString(tmp.resolve("a-file"), "x");
    CommandRun r = CommandRun.of("train", "--skip-eval", "--corpus", slice.toUri().toString(),
        "--run-dir", file.resolve("run").toString());
    assertEquals(1, r.code(), r.err());
    assertEquals(1, r.messages().size(), r.err());
    assertTrue(r.messages().get(0).startsWith("spark-ssl train: cannot write to --run-dir " + file.resolve("run")), r.err());
    assertFalse(r.err().contains("\tat "), r.err());
  }

  @Test
  void verboseAddsTheStackTrace() {
    CommandRun r = CommandRun.of("train", "--verbose", "--corpus", tmp.resolve("missing").toUri().toString(),
        "--run-dir", tmp.resolve("run").toString());
    assertEquals(2, r.code(), r.err());
    assertTrue(r.err().contains("does not exist") && r.err().contains("\tat sparkssl.job.InputChecks"), r.err());
  }

  /**
   * Runs train with {@code args}, the slice as corpus and eval folders, one short epoch and a fresh run
   * directory unless they name others, and checks the refusal says each of {@code says}.
   */
  private void refused(List<String> args, String... says) {
    List<String> all = new ArrayList<>(List.of("train"));
    all.addAll(args);
    Map<String, String> defaults = new LinkedHashMap<>();
    defaults.put("--corpus", slice.toUri().toString());
    defaults.put("--eval-train", slice.toUri().toString());
    defaults.put("--eval-test", slice.toUri().toString());
    // should a check fail to refuse, the run it lets through is short
    defaults.put("--epochs", "1");
    defaults.put("--batch-size", "4");
    defaults.put("--master", "local[2]");
    if (!args.contains("--resume")) {
      defaults.put("--run-dir", tmp.resolve("runs").resolve(String.valueOf(System.nanoTime())).toString());
    }
    defaults.forEach((option, value) -> {
      if (!args.contains(option)) {
        all.addAll(List.of(option, value));
      }
    });
    CommandRun r = CommandRun.of(all.toArray(String[]::new));
    assertEquals(2, r.code(), args + " -> " + r.err());
    assertEquals(1, r.messages().size(), "one line: " + r.err());
    String line = r.messages().get(0);
    assertTrue(line.startsWith("spark-ssl train: "), line);
    for (String part : says) {
      assertTrue(line.contains(part), args + " -> " + line + " lacks " + part);
    }
    assertFalse(r.err().contains("\tat ") || r.err().contains("Exception"), "no stack trace: " + r.err());
  }

  private static Path image() throws IOException {
    try (var files = Files.list(LocalTrainRun.SAMPLE.resolve("train/bag"))) {
      return files.sorted().findFirst().orElseThrow();
    }
  }
}
