package sparkssl.spark.data;

import java.awt.image.BufferedImage;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.List;
import java.util.Random;
import javax.imageio.ImageIO;

/**
 * A generated corpus whose PNG file size tracks the class (Spark's binaryFile packs files into
 * partitions by size, so batches cut from its partitions hold one class), and the test of whether
 * batches are uniform samples of its classes.
 */
public final class SizeSortedCorpus {
  public static final int CLASSES = 4;
  public static final int PER_CLASS = 160;

  private SizeSortedCorpus() {}

  /** Class c: PNGs under {@code class<c>/} with noise of amplitude rising with c, so file size sorts by class. */
  public static void write(Path root) throws IOException {
    Random rnd = new Random(3);
    int[] noise = {0, 6, 30, 120};
    for (int c = 0; c < CLASSES; c++) {
      Path dir = Files.createDirectories(root.resolve("class" + c));
      for (int i = 0; i < PER_CLASS; i++) {
        BufferedImage img = new BufferedImage(28, 28, BufferedImage.TYPE_BYTE_GRAY);
        int base = 60 + rnd.nextInt(100);
        for (int y = 0; y < 28; y++) {
          for (int x = 0; x < 28; x++) {
            int v = base + (noise[c] == 0 ? 0 : rnd.nextInt(noise[c]));
            img.getRaster().setSample(x, y, 0, Math.min(255, v));
          }
        }
        ImageIO.write(img, "png", new File(dir.toFile(), String.format("%04d.png", i)));
      }
    }
  }

  /** The class of an image, from its key or path. */
  public static int label(String keyOrPath) {
    return Integer.parseInt(keyOrPath.replaceAll("(.*/)?class(\\d)/.*", "$2"));
  }

  /** Per-class counts of one batch's images, named by key or path. */
  public static int[] classCounts(Collection<String> batch) {
    int[] counts = new int[CLASSES];
    batch.forEach(p -> counts[label(p)]++);
    return counts;
  }

  /**
   * Pearson's statistic of every batch's class counts against the corpus's class shares, summed over
   * batches, as a z-score against its chi-square distribution (df = batches x (classes - 1)); sampling
   * without replacement makes it slightly smaller, so the test errs towards passing uniform batches.
   */
  public static double chiSquareZ(List<int[]> batches) {
    double x = 0;
    for (int[] counts : batches) {
      int n = 0;
      for (int c : counts) {
        n += c;
      }
      for (int c : counts) {
        double e = (double) n / CLASSES;
        x += (c - e) * (c - e) / e;
      }
    }
    int df = batches.size() * (CLASSES - 1);
    return (x - df) / Math.sqrt(2.0 * df);
  }
}
