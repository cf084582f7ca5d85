package sparkssl.job;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import sparkssl.augment.ViewPipeline;
import sparkssl.augment.ViewPresets;

/** The preview's tiles are the views training computes for the same path, seed and epoch. */
class PreviewCommandTest {
  private static final Path SAMPLE = Paths.get("..", "data", "sample", "fashion-mnist").toAbsolutePath().normalize();

  @Test
  void sheetHoldsTheOriginalAndTheTrainingViews(@TempDir Path tmp) throws Exception {
    Path corpus = Files.createDirectories(tmp.resolve("corpus/bag"));
    Path image = corpus.resolve("a.png");
    try (var files = Files.list(SAMPLE.resolve("test/bag"))) {
      Files.copy(files.sorted().findFirst().orElseThrow(), image);
    }
    Files.write(corpus.resolve("broken.png"), new byte[] {1, 2, 3});
    Path out = tmp.resolve("sheet/preview.png");

    assertEquals(0, Main.execute("preview", "--corpus", tmp.resolve("corpus").toString(), "--images", "5",
        "--epoch", "3", "--seed", "7", "--out", out.toString()));

    BufferedImage sheet = ImageIO.read(out.toFile());
    int zoom = 4; // 28 px tiles enlarged to 112
    int tile = 28 * zoom;
    assertEquals(4 + 3 * (tile + 4), sheet.getWidth(), "original + 2 views in one row");
    assertEquals(4 + tile + 4, sheet.getHeight(), "one decodable image, the broken file skipped");

    var options = ViewPresets.get("small");
    options.seed = 7;
    byte[] views = new ViewPipeline(options).views(Files.readAllBytes(image), "file:" + image, 3);
    for (int v = 0; v < 2; v++) {
      for (int y = 0; y < 28; y += 3) {
        for (int x = 0; x < 28; x += 3) {
          int expected = views[v * 28 * 28 + y * 28 + x] & 0xff;
          int rgb = sheet.getRGB(4 + (v + 1) * (tile + 4) + x * zoom + 1, 4 + y * zoom + 2);
          assertEquals(expected, rgb & 0xff, "view " + v + " pixel " + y + "," + x);
        }
      }
    }
  }
}
