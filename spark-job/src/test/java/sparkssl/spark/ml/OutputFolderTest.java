package sparkssl.spark.ml;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Folder outputs on the local Hadoop file system: published whole, or not at all. */
class OutputFolderTest {
  @TempDir
  Path tmp;

  private OutputFolder folder() throws IOException {
    return new OutputFolder(tmp.resolve("out").toUri().toString(), new Configuration());
  }

  /** Writes {@code files} into the folder at {@code uri}, then fails if {@code fail}. */
  private static void write(String uri, boolean fail, String... files) {
    try {
      Path dir = Files.createDirectories(Paths.get(java.net.URI.create(uri)));
      for (String f : files) {
        Files.writeString(dir.resolve(f), f);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    if (fail) {
      throw new IllegalStateException("the job failed halfway");
    }
  }

  private List<String> listing() throws IOException {
    try (Stream<Path> all = Files.walk(tmp)) {
      return all.filter(Files::isRegularFile).map(p -> tmp.relativize(p).toString()).sorted().collect(Collectors.toList());
    }
  }

  @Test
  void publishesACompleteFolderUnderItsName() throws Exception {
    folder().publish(false, uri -> write(uri, false, "part-0", "part-1"));
    assertEquals(List.of("out/part-0", "out/part-1"), listing(), "no staging folder left beside it");
  }

  @Test
  void aFailedWriteLeavesNothingAndTheOldFolderAsItWas() throws Exception {
    folder().publish(false, uri -> write(uri, false, "old"));
    assertThrows(IllegalStateException.class, () -> folder().publish(true, uri -> write(uri, true, "half")));
    assertEquals(List.of("out/old"), listing());

    folder().publish(true, uri -> write(uri, false, "new"));
    assertEquals(List.of("out/new"), listing(), "replaced once complete");
  }

  @Test
  void neverMergesIntoAFolderThatAppearedMeanwhile() throws Exception {
    IOException e = assertThrows(IOException.class, () -> folder().publish(false, uri -> {
      write(uri, false, "mine");
      write(tmp.resolve("out").toUri().toString(), false, "theirs");
    }));
    assertTrue(e.getMessage().contains("appeared while it was being written"), e.getMessage());
    assertEquals(List.of("out/theirs"), listing());
  }

  @Test
  void removesWhatAKilledWriteLeft() throws Exception {
    Files.createDirectories(tmp.resolve(".out.tmp"));
    Files.writeString(tmp.resolve(".out.tmp/stale"), "from a killed run");
    folder().publish(false, uri -> write(uri, false, "part-0"));
    assertEquals(List.of("out/part-0"), listing());
    assertFalse(Files.exists(tmp.resolve(".out.tmp")));
  }
}
