package sparkssl.augment;

import java.nio.charset.StandardCharsets;

/**
 * The EXIF orientation tag (0x0112 in IFD0) of a JPEG (APP1 "Exif") or PNG (eXIf chunk), and its
 * application to a decoded image the way PIL's {@code ImageOps.exif_transpose} does.
 *
 * <p>Phones store photos unrotated and record the rotation here; ignoring it would train on sideways
 * images that the PyTorch peer sees upright. Malformed metadata means "no orientation", never an
 * error: the pixels are still good.
 */
final class ExifOrientation {
  private static final byte[] PNG_EXIF = "eXIf".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] JPEG_EXIF = "Exif\0\0".getBytes(StandardCharsets.US_ASCII);

  private ExifOrientation() {}

  /** 1 (as stored) to 8; 1 when the file has no readable orientation. */
  static int read(byte[] b, ImageFormat format) {
    return format == ImageFormat.PNG ? fromPng(b) : fromJpeg(b);
  }

  private static int fromJpeg(byte[] b) {
    int[] orientation = {1};
    JpegSegments.walk(b, (marker, start, end) -> {
      if (marker == 0xe1 && startsWith(b, start, end, JPEG_EXIF)) {
        orientation[0] = fromTiff(b, start + JPEG_EXIF.length, end);
        return true;
      }
      return false;
    });
    return orientation[0];
  }

  private static int fromPng(byte[] b) {
    long i = 8;
    while (i + 12 <= b.length) {
      long length = u32(b, (int) i);
      long data = i + 8;
      if (data + length > b.length) {
        return 1;
      }
      if (startsWith(b, (int) i + 4, (int) data, PNG_EXIF)) {
        return fromTiff(b, (int) data, (int) (data + length));
      }
      i = data + length + 4;
    }
    return 1;
  }

  private static int fromTiff(byte[] b, int start, int end) {
    if (start + 8 > end) {
      return 1;
    }
    boolean bigEndian;
    if (b[start] == 'M' && b[start + 1] == 'M') {
      bigEndian = true;
    } else if (b[start] == 'I' && b[start + 1] == 'I') {
      bigEndian = false;
    } else {
      return 1;
    }
    long ifd = start + u32(b, start + 4, bigEndian);
    if (ifd + 2 > end) {
      return 1;
    }
    int entries = u16(b, (int) ifd, bigEndian);
    for (int k = 0; k < entries; k++) {
      int entry = (int) ifd + 2 + 12 * k;
      if (entry + 12 > end) {
        return 1;
      }
      if (u16(b, entry, bigEndian) == 0x0112) {
        int type = u16(b, entry + 2, bigEndian);
        int value = u16(b, entry + 8, bigEndian);
        return type == 3 && value >= 1 && value <= 8 ? value : 1;
      }
    }
    return 1;
  }

  /** The image as it should be seen: {@code orientation} 1 returns it unchanged. */
  static Image apply(Image img, int orientation) {
    if (orientation == 1) {
      return img;
    }
    int h = img.height;
    int w = img.width;
    boolean swap = orientation >= 5;
    int oh = swap ? w : h;
    int ow = swap ? h : w;
    float[] out = new float[img.data.length];
    for (int c = 0; c < img.channels; c++) {
      for (int y = 0; y < oh; y++) {
        for (int x = 0; x < ow; x++) {
          int sy;
          int sx;
          switch (orientation) {
            case 2 -> { sy = y; sx = w - 1 - x; }              // mirror left-right
            case 3 -> { sy = h - 1 - y; sx = w - 1 - x; }      // rotate 180
            case 4 -> { sy = h - 1 - y; sx = x; }              // mirror top-bottom
            case 5 -> { sy = x; sx = y; }                      // transpose
            case 6 -> { sy = h - 1 - x; sx = y; }              // rotate 90 clockwise
            case 7 -> { sy = h - 1 - x; sx = w - 1 - y; }      // transverse
            default -> { sy = x; sx = w - 1 - y; }             // 8: rotate 90 counter-clockwise
          }
          out[(c * oh + y) * ow + x] = img.data[(c * h + sy) * w + sx];
        }
      }
    }
    return new Image(img.channels, oh, ow, out);
  }

  private static boolean startsWith(byte[] b, int from, int end, byte[] prefix) {
    if (from + prefix.length > end) {
      return false;
    }
    for (int k = 0; k < prefix.length; k++) {
      if (b[from + k] != prefix[k]) {
        return false;
      }
    }
    return true;
  }

  private static int u16(byte[] b, int i, boolean bigEndian) {
    int hi = bigEndian ? b[i] : b[i + 1];
    int lo = bigEndian ? b[i + 1] : b[i];
    return (hi & 0xff) << 8 | (lo & 0xff);
  }

  private static long u32(byte[] b, int i) {
    return u32(b, i, true);
  }

  private static long u32(byte[] b, int i, boolean bigEndian) {
    long v = 0;
    for (int k = 0; k < 4; k++) {
      v = v << 8 | (b[bigEndian ? i + k : i + 3 - k] & 0xff);
    }
    return v;
  }
}
