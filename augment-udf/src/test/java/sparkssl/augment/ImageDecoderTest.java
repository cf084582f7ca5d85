package sparkssl.augment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every PNG and JPEG form against PIL's decode of the same file: src/test/python/decoder_fixtures.py
 * writes the files and PIL's output (Image.open -> ImageOps.exif_transpose -> convert -> /255).
 *
 * <p>Measured max |Java - PIL| in 1/255 units, for both RGB and L output (JDK 17, TwelveMonkeys
 * 3.12.0, Pillow 9.4 on libjpeg-turbo):
 * <ul>
 *   <li>0 for every PNG form: 1-bit and 8-bit grey, grey+alpha, RGB, RGBA, palette with and without
 *       tRNS, 16-bit grey (against sample/65535: PIL clips it) and 16-bit RGB (PIL's high byte),
 *       PNG eXIf orientation, and RGB and palette images of colours on which grey from the 601-2
 *       weights in thousandths is one level off PIL's 16-bit fixed point (every pixel of them);</li>
 *   <li>0 for every YCbCr and grey JPEG: baseline 4:2:0 and 4:4:4, progressive colour and grey, all
 *       eight EXIF orientations in both byte orders. The JDK's libjpeg 6b and libjpeg-turbo share the
 *       integer IDCT and the fancy upsampling; larger photos may still show an occasional 1;</li>
 *   <li>1 for CMYK and YCCK JPEGs (mean 0.47-0.57): TwelveMonkeys' CMYK to RGB rounds differently
 *       from PIL's (255-C)(255-K)/255.</li>
 * </ul>
 */
class ImageDecoderTest {
  private static JsonNode expected;

  @BeforeAll
  static void load() throws IOException {
    try (InputStream in = ImageDecoderTest.class.getResourceAsStream("/decoder/expected.json")) {
      expected = new ObjectMapper().readTree(in);
    }
  }

  static byte[] fixture(String name) throws IOException {
    try (InputStream in = ImageDecoderTest.class.getResourceAsStream("/decoder/" + name)) {
      if (in == null) {
        throw new IOException("no fixture " + name);
      }
      return in.readAllBytes();
    }
  }

  /** {max, mean} |decode - PIL| in 1/255 units; fails on a shape mismatch (a wrong rotation). */
  private static double[] difference(String name, int channels) throws Exception {
    JsonNode ref = expected.get(name);
    Image img = new ImageDecoder(channels, 1 << 20).decode(fixture(name));
    JsonNode planes = ref.get(channels == 3 ? "RGB" : "L");
    double scale = ref.get("scale").asDouble();
    assertEquals(channels, img.channels, name);
    assertEquals(planes.get(0).size(), img.height, name + " height");
    assertEquals(planes.get(0).get(0).size(), img.width, name + " width");
    double max = 0;
    double sum = 0;
    for (int c = 0; c < channels; c++) {
      for (int y = 0; y < img.height; y++) {
        for (int x = 0; x < img.width; x++) {
          double d = Math.abs(img.get(c, y, x) - planes.get(c).get(y).get(x).asDouble() / scale) * 255;
          max = Math.max(max, d);
          sum += d;
        }
      }
    }
    return new double[] {max, sum / img.data.length};
  }

  @Test
  void everyFormMatchesPil() throws Exception {
    List<String> failures = new ArrayList<>();
    int checked = 0;
    for (Iterator<Map.Entry<String, JsonNode>> it = expected.fields(); it.hasNext(); ) {
      String name = it.next().getKey();
      boolean cmyk = name.startsWith("cmyk") || name.startsWith("ycck");
      // float32 rounding of k/255 is the only difference allowed where the decode is exact
      double maxAllowed = cmyk ? 1.0 + 1e-3 : 1e-3;
      double meanAllowed = cmyk ? 0.75 : 1e-3;
      for (int channels : new int[] {3, 1}) {
        double[] d = difference(name, channels);
        checked++;
        if (d[0] > maxAllowed || d[1] > meanAllowed) {
          failures.add(String.format("%s C=%d: max %.3f mean %.3f (allowed %.3f / %.3f)",
              name, channels, d[0], d[1], maxAllowed, meanAllowed));
        }
      }
    }
    assertEquals(2 * 31, checked, "every fixture form was compared");
    assertTrue(failures.isEmpty(), String.join("\n", failures));
  }

  @Test
  void orientationTurnsTheImage() throws Exception {
    ImageDecoder d = new ImageDecoder(3, 1 << 20);
    Image upright = d.decode(fixture("exif_ii_1.jpg"));
    Image turned = d.decode(fixture("exif_ii_6.jpg"));
    assertEquals(upright.width, turned.height);
    assertEquals(upright.height, turned.width);
    // orientation 6 is stored rotated 90 degrees anticlockwise: the stored bottom-left is shown top-left
    assertEquals(upright.get(0, upright.height - 1, 0), turned.get(0, 0, 0));
  }

  /**
   * Truncations and byte flips of every fixture either decode or raise ImageDecodeException: nothing
   * else leaves decode(), whichever reader or the EXIF parser meets the damage.
   */
  @Test
  void damagedFilesOnlyRaiseDecodeExceptions() throws Exception {
    ImageDecoder d = new ImageDecoder(3, 1 << 20);
    SplittableRandom rnd = new SplittableRandom(7);
    int rejected = 0;
    for (Iterator<String> it = expected.fieldNames(); it.hasNext(); ) {
      String name = it.next();
      byte[] good = fixture(name);
      List<byte[]> damaged = new ArrayList<>();
      for (int len = 0; len < good.length; len += 5) {
        damaged.add(Arrays.copyOf(good, len));
      }
      for (int k = 0; k < 60; k++) {
        byte[] b = good.clone();
        for (int f = 0; f < 1 + rnd.nextInt(4); f++) {
          b[rnd.nextInt(b.length)] ^= (byte) (1 + rnd.nextInt(255));
        }
        damaged.add(b);
      }
      for (byte[] b : damaged) {
        try {
          d.decode(b);
        } catch (ImageDecodeException e) {
          rejected++;
        } catch (RuntimeException e) {
          fail(name + " damaged to " + b.length + " bytes threw " + e, e);
        }
      }
    }
    assertTrue(rejected > 1000, "the damage was noticed " + rejected + " times");
  }
}
