package sparkssl.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The README stands on its own: it names no document outside the repository, and every file it quotes exists. */
class ReadmeTest {
  private static final Pattern FENCED = Pattern.compile("(?ms)^```.*?^```");
  private static final Pattern QUOTED = Pattern.compile("`([^`\n]+)`");
  private static final List<String> TOP_LEVEL = List.of("augment-udf/", "model/", "spark-job/", "deploy/", "data/", ".ci/");

  private static String readme() throws IOException {
    return Files.readString(Processes.ROOT.resolve("README.md"));
  }

  @Test
  void pointsToNoDocumentOutsideTheRepository() throws IOException {
    String text = readme();
    for (String outside : List.of("DESIGN.md", "COOKBOOK.md", "shared/", "/work/")) {
      assertFalse(text.contains(outside), "README.md mentions " + outside + ", which is not part of this repository");
    }
  }

  /**
   * Inline code only: fenced blocks hold commands whose arguments are the reader's own paths. Build
   * outputs (under target/) and placeholders such as {@code <class>} are not files to find; a glob
   * must match a file.
   */
  @Test
  void everyRepositoryPathItQuotesExists() throws IOException {
    Set<String> quoted = new TreeSet<>();
    Set<String> missing = new TreeSet<>();
    Matcher m = QUOTED.matcher(FENCED.matcher(readme()).replaceAll(""));
    while (m.find()) {
      for (String word : m.group(1).split("[\\s=,;()]+")) {
        if (TOP_LEVEL.stream().anyMatch(word::startsWith) && !word.contains("/target/") && !word.contains("<")) {
          quoted.add(word);
          if (!exists(word)) {
            missing.add(word);
          }
        }
      }
    }
    assertTrue(quoted.size() >= 10, "the README quotes repository files: " + quoted);
    assertEquals(Set.of(), missing, "quoted in README.md but not in the repository");
  }

  /** A path, or a glob such as {@code deploy/src/test/python/test_*.py} that names at least one file. */
  private static boolean exists(String quoted) throws IOException {
    if (!quoted.contains("*")) {
      return Files.exists(Processes.ROOT.resolve(quoted));
    }
    Path dir = Processes.ROOT.resolve(quoted).getParent();
    if (!Files.isDirectory(dir)) {
      return false;
    }
    try (DirectoryStream<Path> matches = Files.newDirectoryStream(dir, Path.of(quoted).getFileName().toString())) {
      return matches.iterator().hasNext();
    }
  }
}
