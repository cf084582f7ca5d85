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

  /** Mean absolute difference between the two global views' pixels over many images. */
  private static double[] perViewBlurEffect(ViewOptions o, byte[] img) throws Exception {
    ViewPipeline p = new ViewPipeline(o);
    int len = p.viewLength();
    double[] sharpness = new double[2];
    for (int i = 0; i < 200; i++) {
      byte[] v = p.views(img, "img" + i, 1);
      for (int view = 0; view < 2; view++) {
        sharpness[view] += horizontalGradient(v, view * len, o.size, o.channels) / 200;
      }
    }
    return sharpness;
  }

  private static double horizontalGradient(byte[] v, int off, int size, int channels) {
    double sum = 0;
    for (int c = 0; c < channels; c++) {
      for (int y = 0; y < size; y++) {
        for (int x = 1; x < size; x++) {
          int i = off + (c * size + y) * size + x;
          sum += Math.abs((v[i] & 0xff) - (v[i - 1] & 0xff));
        }
      }
    }
    return sum / (channels * size * (size - 1));
  }

  @Test
  void perViewProbabilitiesGiveByolItsAsymmetry() throws Exception {
    BufferedImage noise = new BufferedImage(40, 40, BufferedImage.TYPE_INT_RGB);
    SplittableRandom rnd = new SplittableRandom(3);
    for (int y = 0; y < 40; y++) {
      for (int x = 0; x < 40; x++) {
        noise.setRGB(x, y, rnd.nextInt(1 << 24));
      }
    }
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    ImageIO.write(noise, "png", bytes);
    byte[] img = bytes.toByteArray();
    ViewOptions byol = ViewPresets.get("byol");
    byol.size = 32;
    byol.channels = 3;
    byol.set("jitter_p", "0").set("grayscale_p", "0").set("solarize_p", "0").set("crop_scale", "0.8,1")
        .set("blur_sigma", "1.5,2.0");
    double[] g = perViewBlurEffect(byol, img);
    // view 1 is always blurred, view 2 one time in ten: view 2 keeps clearly more edge energy
    assertTrue(g[1] > 1.3 * g[0], "gradients " + Arrays.toString(g));
    byol.set("blur_p", "0.1,1.0");
    double[] swapped = perViewBlurEffect(byol, img);
    assertTrue(swapped[0] > 1.3 * swapped[1], "gradients " + Arrays.toString(swapped));
  }

  @Test
  void multiCropAddsLocalViewsAtTheirOwnSize() throws Exception {
    ViewOptions o = ViewPresets.get("simclr");
    o.size = 32;
    o.channels = 3;
    o.set("local_crops", "4").set("local_size", "12");
    ViewPipeline p = new ViewPipeline(o);
    byte[] img = png(64, 48, BufferedImage.TYPE_INT_RGB);
    ViewPipeline.Views v = p.render(img, "a.png", 0, true);
    assertEquals(2 * 3 * 32 * 32, v.global().length);
    assertEquals(4 * 3 * 12 * 12, v.local().length);
    assertArrayEquals(v.global(), p.views(img, "a.png", 0), "local crops do not disturb the global views");
    byte[] firstLocal = Arrays.copyOfRange(v.local(), 0, 3 * 12 * 12);
    byte[] secondLocal = Arrays.copyOfRange(v.local(), 3 * 12 * 12, 2 * 3 * 12 * 12);
    assertFalse(Arrays.equals(firstLocal, secondLocal));
    assertEquals(null, p.render(img, "a.png", 0, false).local());
  }

  @Test
  void trainingViewsAreTheGlobalViewsThenTheLocalCropsAtTheGlobalSize() throws Exception {
    ViewOptions o = ViewPresets.get("simclr");
    o.size = 16;
    o.set("local_crops", "2").set("local_size", "16");
    ViewPipeline p = new ViewPipeline(o);
    byte[] img = png(40, 30, BufferedImage.TYPE_INT_RGB);
    ViewPipeline.Views v = p.render(img, "a.png", 0, true);
    byte[] training = p.trainingViews(img, "a.png", 0);
    assertEquals(4, p.trainingViewCount());
    assertEquals(4 * 16 * 16, training.length);
    assertArrayEquals(v.global(), Arrays.copyOfRange(training, 0, 2 * 16 * 16));
    assertArrayEquals(v.local(), Arrays.copyOfRange(training, 2 * 16 * 16, 4 * 16 * 16));
    o.set("local_size", "8");
    assertThrows(IllegalStateException.class, () -> new ViewPipeline(o).trainingViews(img, "a.png", 0));
  }

  @Test
  void presetsDifferWhereThePapersDoAndOverridesApply() {
    ViewOptions simclr = ViewPresets.get("simclr");
    ViewOptions byol = ViewPresets.get("byol");
    assertEquals(0.8, simclr.brightness);
    assertEquals(0.2, byol.saturation);
    assertArrayEquals(new double[] {1.0, 0.1}, byol.blurProbability);
    assertArrayEquals(new double[] {0.0, 0.2}, byol.solarizeProbability);
    assertEquals(0.08, ViewPresets.get("vicreg").cropScaleMin);
    for (String name : ViewPresets.NAMES) {
      assertEquals(null, ViewPresets.get(name).problem(), name);
    }
    assertEquals(0.3, simclr.set("crop_scale", "0.3, 0.9").cropScaleMin);
    assertEquals(0.9, simclr.cropScaleMax);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> simclr.set("blur_kernel", "2.5"));
    assertTrue(e.getMessage().contains("expected an integer"), e.getMessage());
    simclr.set("blur_kernel", "4");
    assertTrue(simclr.problem().contains("blur_kernel must be odd"));
    // three ImageNet values fold into one for grey views
    simclr.channels = 1;
    simclr.set("blur_kernel", "0");
    assertEquals(null, simclr.problem());
    float[] out = new float[1];
    simclr.normalize().toFloats(new byte[] {(byte) 255}, 0, out, 0, 1, 1, 1);
    assertEquals((1 - (0.485 + 0.456 + 0.406) / 3) / ((0.229 + 0.224 + 0.225) / 3), out[0], 1e-6);
  }
}
