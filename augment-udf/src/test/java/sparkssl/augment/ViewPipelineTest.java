package sparkssl.augment;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Arrays;
import java.util.SplittableRandom;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

class ViewPipelineTest {

  static byte[] png(int w, int h, int type) throws IOException {
    BufferedImage img = new BufferedImage(w, h, type);
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        img.setRGB(x, y, ((x * 7) & 0xff) << 16 | ((y * 5) & 0xff) << 8 | ((x + y) & 0xff));
      }
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ImageIO.write(img, "png", out);
    return out.toByteArray();
  }

  @Test
  void viewsArePureFunctionsOfSeedEpochPathAndIndex() throws Exception {
    ViewPipeline p = new ViewPipeline(new ViewOptions());
    byte[] img = png(40, 30, BufferedImage.TYPE_BYTE_GRAY);
    byte[] a = p.views(img, "s3a://bucket/a.png", 3);
    assertArrayEquals(a, new ViewPipeline(new ViewOptions()).views(img, "s3a://bucket/a.png", 3));
    assertEquals(2 * 28 * 28, a.length);
    assertFalse(Arrays.equals(a, p.views(img, "s3a://bucket/a.png", 4)), "a new epoch gives new views");
    assertFalse(Arrays.equals(a, p.views(img, "s3a://bucket/b.png", 3)), "another path gives other views");
    byte[] first = Arrays.copyOfRange(a, 0, 28 * 28);
    byte[] second = Arrays.copyOfRange(a, 28 * 28, 2 * 28 * 28);
    assertFalse(Arrays.equals(first, second), "the two views differ");
  }

  @Test
  void cropsFollowTorchvisionBounds() {
    RandomResizedCrop crop = new RandomResizedCrop(28, 0.2, 1.0, 3.0 / 4, 4.0 / 3);
    SplittableRandom rnd = new SplittableRandom(1);
    for (int i = 0; i < 2000; i++) {
      CropBox b = crop.sample(28, 28, rnd);
      assertTrue(b.top() >= 0 && b.left() >= 0 && b.top() + b.height() <= 28 && b.left() + b.width() <= 28, b.toString());
      double area = (double) b.height() * b.width() / (28 * 28);
      assertTrue(area >= 0.15 && area <= 1.0, "area " + area);
    }
    // an impossible scale forces the fallback: a centre crop clamped to the ratio range
    RandomResizedCrop tooWide = new RandomResizedCrop(8, 1.0, 1.0, 3.0, 4.0);
    assertEquals(new CropBox(9, 0, 10, 30), tooWide.sample(28, 30, new SplittableRandom(2)));
  }

  @Test
  void resizeToTheSameSizeIsIdentityAndDownscaleAverages() {
    float[] data = new float[16];
    for (int i = 0; i < 16; i++) {
      data[i] = i / 15f;
    }
    Image img = new Image(1, 4, 4, data);
    assertArrayEquals(data, Resize.cropResize(img, new CropBox(0, 0, 4, 4), 4, 4).data, 1e-6f);
    // 4 -> 2 with the antialiased triangle filter: each output averages a 2x2 block's neighbourhood
    float[] half = Resize.cropResize(img, new CropBox(0, 0, 4, 4), 2, 2).data;
    float mean = 0;
    for (float v : half) {
      mean += v / 4;
    }
    assertEquals(0.5f, mean, 1e-6f);
    assertTrue(half[0] < half[1] && half[1] < half[2] && half[2] < half[3]);
  }

  @Test
  void flipMirrorsRows() {
    Image img = new Image(1, 1, 3, new float[] {1, 2, 3});
    assertArrayEquals(new float[] {3, 2, 1}, RandomHorizontalFlip.flip(img).data, 0);
  }

  @Test
  void decodesGreyAndColourToTheWantedChannels() throws Exception {
    byte[] grey = png(5, 4, BufferedImage.TYPE_BYTE_GRAY);
    byte[] rgb = png(5, 4, BufferedImage.TYPE_INT_RGB);
    Image g3 = new ImageDecoder(3, 1000).decode(grey);
    assertEquals(3, g3.channels);
    assertEquals(g3.get(0, 2, 3), g3.get(2, 2, 3), 0);
    Image c1 = new ImageDecoder(1, 1000).decode(rgb);
    assertEquals(1, c1.channels);
    Image c3 = new ImageDecoder(3, 1000).decode(rgb);
    // pixel (x=3, y=2): R = 21, G = 10, B = 5; luma = (21*299 + 10*587 + 5*114 + 500) / 1000 = 13
    assertEquals(21 / 255f, c3.get(0, 2, 3), 1e-6f);
    assertEquals(13 / 255f, c1.get(0, 2, 3), 1e-6f);
  }

  @Test
  void badInputGivesTypedErrors() throws Exception {
    ImageDecoder d = new ImageDecoder(1, 100);
    assertEquals(ImageDecodeException.Kind.EMPTY, assertThrows(ImageDecodeException.class, () -> d.decode(new byte[0])).kind());
    assertEquals(ImageDecodeException.Kind.NOT_AN_IMAGE,
        assertThrows(ImageDecodeException.class, () -> d.decode("hello".getBytes())).kind());
    byte[] big = png(20, 20, BufferedImage.TYPE_BYTE_GRAY);
    assertEquals(ImageDecodeException.Kind.TOO_LARGE, assertThrows(ImageDecodeException.class, () -> d.decode(big)).kind());
    byte[] truncated = Arrays.copyOf(png(9, 9, BufferedImage.TYPE_INT_RGB), 60);
    assertEquals(ImageDecodeException.Kind.CORRUPT, assertThrows(ImageDecodeException.class, () -> d.decode(truncated)).kind());
  }
}
