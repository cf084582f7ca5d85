package sparkssl.augment;

import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.Serializable;
import java.util.Iterator;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;

/**
 * Decodes PNG and JPEG bytes into a float CHW {@link Image} with a fixed channel count.
 *
 * <p>Grey sources become three equal channels when colour is wanted; colour becomes grey with the
 * ITU-R 601-2 luma weights (PIL's {@code convert("L")}). Alpha is dropped, as PIL's
 * {@code convert("RGB")} does. The header's size is checked against {@code maxPixels} before any
 * pixel is decoded, so a hostile header cannot exhaust memory.
 */
public final class ImageDecoder implements Serializable {
  private static final long serialVersionUID = 1L;

  static {
    ImageIO.setUseCache(false);
  }

  private final int channels;
  private final long maxPixels;

  public ImageDecoder(int channels, long maxPixels) {
    if (channels != 1 && channels != 3) {
      throw new IllegalArgumentException("channels must be 1 or 3, got " + channels);
    }
    this.channels = channels;
    this.maxPixels = maxPixels;
  }

  public Image decode(byte[] bytes) throws ImageDecodeException {
    if (bytes == null || bytes.length == 0) {
      throw new ImageDecodeException(ImageDecodeException.Kind.EMPTY, "zero bytes");
    }
    try (ImageInputStream in = ImageIO.createImageInputStream(new ByteArrayInputStream(bytes))) {
      Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
      if (!readers.hasNext()) {
        throw new ImageDecodeException(ImageDecodeException.Kind.NOT_AN_IMAGE, "not a PNG or JPEG");
      }
      ImageReader reader = readers.next();
      try {
        reader.setInput(in, true, true);
        long pixels = (long) reader.getWidth(0) * reader.getHeight(0);
        if (pixels > maxPixels) {
          throw new ImageDecodeException(ImageDecodeException.Kind.TOO_LARGE,
              reader.getWidth(0) + "x" + reader.getHeight(0) + " exceeds the pixel limit " + maxPixels);
        }
        BufferedImage img = reader.read(0);
        return toImage(img);
      } finally {
        reader.dispose();
      }
    } catch (ImageDecodeException e) {
      throw e;
    } catch (IOException | RuntimeException e) {
      // ImageIO reports truncated and malformed streams with a mix of IOExceptions and runtime errors
      throw new ImageDecodeException(ImageDecodeException.Kind.CORRUPT, "cannot decode: " + e, e);
    }
  }

  private Image toImage(BufferedImage img) {
    int h = img.getHeight();
    int w = img.getWidth();
    ColorModel cm = img.getColorModel();
    Raster raster = img.getRaster();
    boolean grey = !(cm instanceof IndexColorModel) && cm.getNumColorComponents() == 1;
    float[] out = new float[channels * h * w];
    if (grey) {
      // read samples directly: getRGB() would push linear grey through an sRGB conversion
      float max = (1 << cm.getComponentSize(0)) - 1;
      for (int y = 0; y < h; y++) {
        for (int x = 0; x < w; x++) {
          float v = raster.getSample(x, y, 0) / max;
          for (int c = 0; c < channels; c++) {
            out[(c * h + y) * w + x] = v;
          }
        }
      }
      return new Image(channels, h, w, out);
    }
    int[] argb = img.getRGB(0, 0, w, h, null, 0, w);
    int plane = h * w;
    for (int i = 0; i < plane; i++) {
      int p = argb[i];
      int r = (p >> 16) & 0xff;
      int g = (p >> 8) & 0xff;
      int b = p & 0xff;
      if (channels == 3) {
        out[i] = r / 255f;
        out[plane + i] = g / 255f;
        out[2 * plane + i] = b / 255f;
      } else {
        // PIL's convert("L"): L = (R*299 + G*587 + B*114) / 1000, rounded
        out[i] = ((r * 299 + g * 587 + b * 114 + 500) / 1000) / 255f;
      }
    }
    return new Image(channels, h, w, out);
  }
}
