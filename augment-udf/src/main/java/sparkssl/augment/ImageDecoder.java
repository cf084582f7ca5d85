package sparkssl.augment;

import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.ComponentColorModel;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.Serializable;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.spi.IIORegistry;
import javax.imageio.stream.ImageInputStream;

/**
 * Decodes PNG and JPEG bytes into a float CHW {@link Image} with a fixed channel count, matching
 * what PIL's {@code Image.open -> ImageOps.exif_transpose -> convert("RGB" or "L")} gives a
 * torchvision pipeline.
 *
 * <p>Grey sources become three equal channels when colour is wanted; colour becomes grey with the
 * ITU-R 601-2 luma weights (PIL's {@code convert("L")}). Alpha is dropped, as PIL's
 * {@code convert("RGB")} does. The EXIF orientation is applied. The header's size is checked against
 * {@code maxPixels} before any pixel is decoded, so a hostile header cannot exhaust memory. CMYK and
 * YCCK JPEGs, which the JDK's reader rejects, are read by the TwelveMonkeys plugin. Damage that the
 * readers decode past but PIL rejects (a PNG chunk with a bad CRC, a JPEG cut before its
 * end-of-image marker) is CORRUPT too.
 */
public final class ImageDecoder implements Serializable {
  private static final long serialVersionUID = 1L;

  static {
    ImageIO.setUseCache(false);
    // ImageIO looks for plugins once per JVM, through whichever context class loader touches it
    // first; on an executor that loader may not see the application jar, so register explicitly.
    // TwelveMonkeys' provider orders itself before the JDK's JPEG reader when registered.
    IIORegistry.getDefaultInstance().registerServiceProvider(
        new com.twelvemonkeys.imageio.plugins.jpeg.JPEGImageReaderSpi());
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
    ImageFormat format = ImageFormat.sniff(bytes);
    if (format == null) {
      throw new ImageDecodeException(ImageDecodeException.Kind.NOT_AN_IMAGE, "not a PNG or JPEG");
    }
    String damage = format == ImageFormat.PNG ? PngChunks.problem(bytes)
        : JpegSegments.endsAfterScan(bytes) ? null : "truncated: no end-of-image marker after the scan";
    if (damage != null) {
      throw new ImageDecodeException(ImageDecodeException.Kind.CORRUPT, damage);
    }
    BufferedImage img;
    try (ImageInputStream in = ImageIO.createImageInputStream(new ByteArrayInputStream(bytes))) {
      ImageReader reader = ImageIO.getImageReadersByFormatName(format.readerName).next();
      try {
        reader.setInput(in, true, true);
        long pixels = (long) reader.getWidth(0) * reader.getHeight(0);
        if (pixels > maxPixels) {
          throw new ImageDecodeException(ImageDecodeException.Kind.TOO_LARGE,
              reader.getWidth(0) + "x" + reader.getHeight(0) + " exceeds the pixel limit " + maxPixels);
        }
        img = reader.read(0);
      } finally {
        reader.dispose();
      }
    } catch (IOException | RuntimeException e) {
      // readers report truncated and malformed streams with a mix of IOExceptions and runtime errors
      throw new ImageDecodeException(ImageDecodeException.Kind.CORRUPT, "cannot decode: " + e, e);
    }
    return ExifOrientation.apply(toImage(img), ExifOrientation.read(bytes, format));
  }

  private Image toImage(BufferedImage img) {
    int h = img.getHeight();
    int w = img.getWidth();
    ColorModel cm = img.getColorModel();
    int space = cm.getColorSpace().getType();
    float[] out = new float[channels * h * w];
    int plane = h * w;
    if (cm instanceof ComponentColorModel && (space == ColorSpace.TYPE_GRAY || space == ColorSpace.TYPE_RGB)) {
      // read samples directly: getRGB() would push linear grey through an sRGB conversion, and
      // round 16-bit colour where PIL keeps the high byte
      int bands = img.getRaster().getNumBands();
      int[] px = img.getRaster().getPixels(0, 0, w, h, (int[]) null);
      int bits = cm.getComponentSize(0);
      if (space == ColorSpace.TYPE_GRAY) {
        float max = (1 << bits) - 1;
        for (int i = 0; i < plane; i++) {
          float v = px[i * bands] / max;
          for (int c = 0; c < channels; c++) {
            out[c * plane + i] = v;
          }
        }
      } else {
        int shift = bits - 8; // PNG colour is 8 or 16 bits per sample
        for (int i = 0; i < plane; i++) {
          int p = i * bands;
          put(out, plane, i, px[p] >> shift, px[p + 1] >> shift, px[p + 2] >> shift);
        }
      }
    } else {
      // palettes, 1-bit grey, CMYK: the colour model knows how to reach sRGB
      int[] argb = img.getRGB(0, 0, w, h, null, 0, w);
      for (int i = 0; i < plane; i++) {
        int p = argb[i];
        put(out, plane, i, (p >> 16) & 0xff, (p >> 8) & 0xff, p & 0xff);
      }
    }
    return new Image(channels, h, w, out);
  }

  private void put(float[] out, int plane, int i, int r, int g, int b) {
    if (channels == 3) {
      out[i] = r / 255f;
      out[plane + i] = g / 255f;
      out[2 * plane + i] = b / 255f;
    } else {
      // PIL's convert("L") to the bit: the 601-2 weights in 16-bit fixed point, rounded. The same
      // weights in thousandths, (299R + 587G + 114B + 500) / 1000, differ by one level on 9040 colours
      out[i] = ((r * 19595 + g * 38470 + b * 7471 + 0x8000) >> 16) / 255f;
    }
  }
}
