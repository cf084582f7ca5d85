import java.awt.Color;
import java.awt.GradientPaint;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.stream.IntStream;
import javax.imageio.ImageIO;

/**
 * A synthetic image folder for corpus-scale benchmarks: N small JPEGs of several sizes (24 to 96 px,
 * square and 4:3), a gradient and an ellipse each, 1,000 to a folder ({@code 000/img-000123.jpg}).
 * Image i depends on i alone, so any N gives the same first images.
 *
 * <pre>java deploy/bench/MakeJpegs.java N OUT</pre>
 */
public class MakeJpegs {
  private static final int[] SIZES = {24, 32, 48, 64, 96};

  public static void main(String[] args) throws IOException {
    if (args.length != 2) {
      System.err.println("usage: java deploy/bench/MakeJpegs.java N OUT");
      System.exit(2);
    }
    int n = Integer.parseInt(args[0]);
    Path out = Path.of(args[1]);
    for (int d = 0; d <= (n - 1) / 1000; d++) {
      Files.createDirectories(out.resolve(String.format("%03d", d)));
    }
    IntStream.range(0, n).parallel().forEach(i -> write(i, out));
    System.out.println(n + " JPEGs in " + out);
  }

  private static void write(int i, Path out) {
    Random r = new Random(i);
    int w = SIZES[r.nextInt(SIZES.length)];
    int h = r.nextBoolean() ? w : w * 3 / 4;
    BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = img.createGraphics();
    g.setPaint(new GradientPaint(0, 0, new Color(r.nextInt(0xffffff)), w, h, new Color(r.nextInt(0xffffff))));
    g.fillRect(0, 0, w, h);
    g.setColor(new Color(r.nextInt(0xffffff)));
    g.fillOval(r.nextInt(w / 2), r.nextInt(h / 2), w / 4 + r.nextInt(w / 2), h / 4 + r.nextInt(h / 2));
    g.dispose();
    try {
      ImageIO.write(img, "jpg", out.resolve(String.format("%03d/img-%06d.jpg", i / 1000, i)).toFile());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
