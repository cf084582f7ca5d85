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
import java.util.Random;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import sparkssl.spark.run.CrashingFileSystem;

/** Folder outputs on the local Hadoop file system: published whole, or not at all. */
class OutputFolderTest {
  private static final String[] OLD = {"old-0", "old-1", "old-2"};
  private static final String[] NEW = {"new-0", "new-1"};

  @TempDir
  Path tmp;

  private OutputFolder folder() throws IOException {
    return new OutputFolder(tmp.resolve("out").toUri().toString(), new Configuration());
  }

  /** The folder through {@code fs}, a wrapper of the local file system that fails one of its steps. */
  private OutputFolder folder(FileSystem fs) {
    return new OutputFolder(fs, new org.apache.hadoop.fs.Path(tmp.resolve("out").toUri().toString()));
  }

  private static FileSystem local() throws IOException {
    return FileSystem.getLocal(new Configuration());
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

  /** Whether folder {@code name} holds exactly {@code files}, each whole: a table a reader can use. */
  private boolean holds(String name, String... files) throws IOException {
    Path dir = tmp.resolve(name);
    if (!Files.isDirectory(dir)) {
      return false;
    }
    try (Stream<Path> all = Files.list(dir)) {
      if (!all.map(p -> p.getFileName().toString()).sorted().toList().equals(List.of(files))) {
        return false;
      }
    }
    for (String f : files) {
      if (!Files.readString(dir.resolve(f)).equals(f)) {
        return false;
      }
    }
    return true;
  }

  /** The file operations (deletions, renames) with which {@link #NEW} replaces {@link #OLD}. */
  private long stepsOfAReplacement() throws IOException {
    folder().publish(false, uri -> write(uri, false, OLD));
    CrashingFileSystem counting = new CrashingFileSystem(local(), Long.MAX_VALUE, new Random(0));
    folder(counting).publish(true, uri -> write(uri, false, NEW));
    delete(tmp.resolve("out"));
    return counting.events();
  }

  private static void delete(Path dir) throws IOException {
    try (Stream<Path> all = Files.walk(dir)) {
      for (Path p : all.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }

  /**
   * Each step of a replacement fails in turn, once (the publication's own clean-up still reaches the
   * file system): the old folder stays in place, whole, unless only the backup's deletion failed, after
   * the new folder was in place; and the next publication leaves nothing beside its folder.
   */
  @Test
  void aFailureAtAnyStepOfAReplacementLeavesTheOldFolderInPlace() throws Exception {
    long steps = stepsOfAReplacement();
    for (long step = 0; step < steps; step++) {
      folder().publish(false, uri -> write(uri, false, OLD));
      CrashingFileSystem failing = CrashingFileSystem.failingOnce(local(), step, new Random(step));
      boolean published = true;
      try {
        folder(failing).publish(true, uri -> write(uri, false, NEW));
      } catch (IOException expected) {
        published = false;
      }
      String where = "failure at " + failing.crash() + " (step " + step + " of " + steps + "): " + listing();
      assertTrue(failing.crashed(), where);
      assertTrue(published ? holds("out", NEW) && failing.crash().equals("delete .out.old") : holds("out", OLD), where);

      folder().publish(true, uri -> write(uri, false, "newer"));
      assertEquals(List.of("out/newer"), listing(), where + ": the next publication tidies up");
      delete(tmp.resolve("out"));
    }
  }

  /**
   * A replacement killed at each of its steps (that step and every later one fail, clean-up
   * included): the old folder is whole, in place or set aside beside the new one; the next
   * publication, even one whose write fails, first puts a whole folder back in place and leaves
   * nothing else.
   */
  @Test
  void aReplacementKilledAtAnyStepLosesNeitherFolderAndTheNextOneRecovers() throws Exception {
    long steps = stepsOfAReplacement();
    int setAside = 0;
    for (long step = 0; step < steps; step++) {
      folder().publish(false, uri -> write(uri, false, OLD));
      CrashingFileSystem killed = new CrashingFileSystem(local(), step, new Random(step));
      try {
        folder(killed).publish(true, uri -> write(uri, false, NEW));
      } catch (IOException expected) {
        // the kill
      }
      String where = "killed at " + killed.crash() + " (step " + step + " of " + steps + "): " + listing();
      assertTrue(killed.crashed(), where);
      boolean aside = !Files.exists(tmp.resolve("out")) || holds("out", NEW);
      assertTrue(aside ? holds(".out.old", OLD) : holds("out", OLD), where);
      setAside += aside ? 1 : 0;

      assertThrows(IllegalStateException.class, () -> folder().publish(true, uri -> write(uri, true, "half")));
      assertTrue(listing().equals(List.of("out/old-0", "out/old-1", "out/old-2")) || listing().equals(List.of("out/new-0", "out/new-1")),
          where + ", then a failed publication left " + listing());
      delete(tmp.resolve("out"));
    }
    assertTrue(setAside > 0, "some kills came while the old folder was set aside, of " + steps + " steps");
  }

  @Test
  void refusesToGuessWhereAnInterruptedRenameMayHaveSplitAFolder() throws Exception {
    for (String name : List.of("out", ".out.old", ".out.tmp")) {
      write(tmp.resolve(name).toUri().toString(), false, "part-of-" + name.replace(".", ""));
    }
    IOException e = assertThrows(IOException.class, () -> folder().publish(true, uri -> write(uri, false, "new")));
    assertTrue(e.getMessage().contains("left as they are"), e.getMessage());
    assertEquals(List.of(".out.old/part-of-outold", ".out.tmp/part-of-outtmp", "out/part-of-out"), listing(), "nothing deleted");
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
