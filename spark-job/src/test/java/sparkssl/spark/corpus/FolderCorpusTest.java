package sparkssl.spark.corpus;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import javax.imageio.ImageIO;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Which files a folder corpus reads, their keys, and the zero-byte images it must count because binaryFile drops them. */
class FolderCorpusTest {

  private static byte[] png() throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ImageIO.write(new BufferedImage(4, 3, BufferedImage.TYPE_INT_RGB), "png", out);
    return out.toByteArray();
  }

  private static void write(Path p, byte[] bytes) throws IOException {
    Files.createDirectories(p.getParent());
    Files.write(p, bytes);
  }

  @Test
  void readsImagesInAnyCaseAndCountsEmptyOnesItCannotSee(@TempDir Path root) throws Exception {
    byte[] image = png();
    write(root.resolve("a/good.png"), image);
    write(root.resolve("b/UPPER.PNG"), image);
    write(root.resolve("c/d/Photo.JPEG"), image);
    write(root.resolve("c/d/e/mixed.Jpg"), image);
    write(root.resolve("notes.txt"), "not an image".getBytes());
    Set<String> empty = Set.of("empty.png", "a/EMPTY.JPG", "a/b/c/e.jpeg", "x/1.png", "x/2.jpg", "x/3.PNG");
    for (String f : empty) {
      write(root.resolve(f), new byte[0]);
    }
    write(root.resolve("empty.txt"), new byte[0]);
    write(root.resolve(".cache/hidden.png"), new byte[0]);
    write(root.resolve("_temporary/0/part.jpg"), new byte[0]);
    write(root.resolve("y/.hidden.jpg"), new byte[0]);

    SparkSession spark = SparkSession.builder().master("local[1]").appName("corpus-test")
        .config("spark.ui.enabled", "false").config("spark.driver.host", "127.0.0.1")
        .config("spark.driver.bindAddress", "127.0.0.1").getOrCreate();
    try {
      FolderCorpus corpus = new FolderCorpus(spark, root.toUri().toString());
      List<Row> rows = corpus.images(spark).collectAsList();
      Set<String> read = rows.stream().map(r -> root.relativize(Path.of(URI.create(r.getString(0)))).toString())
          .collect(Collectors.toSet());
      // extensions match in any case; zero-byte files never appear
      Set<String> images = Set.of("a/good.png", "b/UPPER.PNG", "c/d/Photo.JPEG", "c/d/e/mixed.Jpg");
      assertEquals(images, read);
      for (Row row : rows) {
        assertArrayEquals(image, (byte[]) row.get(1), row.getString(0));
      }
      // a key is the path below the folder, however the folder was named
      assertEquals(images, rows.stream().map(r -> r.getString(2)).collect(Collectors.toSet()));
      assertEquals(List.copyOf(new java.util.TreeSet<>(images)), new FolderCorpus(spark, root.toString()).list(spark).keys());

      CorpusLayout.LeftOut found = corpus.list(spark).leftOut();
      assertEquals(empty.size(), found.count());
      assertEquals(5, found.examples().size(), "examples are capped");
      for (String example : found.examples()) {
        assertTrue(example.startsWith("file:"), example);
        assertTrue(empty.stream().anyMatch(example::endsWith), example + " is one of the empty images");
      }
      // a sample read by key, opened by path, in key order, whichever way the root was named
      byte[] other = "other bytes".getBytes();
      write(root.resolve("b/other.png"), other);
      for (String named : List.of(root.toUri().toString(), root.toString())) {
        List<byte[]> sample = new FolderCorpus(spark, named).read(spark, Set.of("b/other.png", "a/good.png"));
        assertEquals(2, sample.size(), named);
        assertArrayEquals(image, sample.get(0), named);
        assertArrayEquals(other, sample.get(1), named);
      }
      // a root given as a plain local path lists the same files
      assertEquals(empty.size(), new FolderCorpus(spark, root.toString()).list(spark).leftOut().count());
    } finally {
      spark.stop();
    }
  }
}
