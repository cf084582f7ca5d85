package sparkssl.augment;

/**
 * The colour operations of torchvision's {@code transforms.functional} on float tensors, with the
 * same formulas, so a view matches torchvision's for the same random draws.
 *
 * <p>Every blend clamps to [0,1] as torchvision's {@code _blend} does. On one-channel images
 * saturation, hue and grayscale leave the image unchanged, again as torchvision does.
 */
public final class ColorAdjust {
  /** torchvision's tensor {@code rgb_to_grayscale} weights (ITU-R 601-2 luma). */
  private static final float LUMA_R = 0.2989f;
  private static final float LUMA_G = 0.587f;
  private static final float LUMA_B = 0.114f;

  private ColorAdjust() {}

  /** Blends with black: {@code clamp(f * img)}. */
  public static Image brightness(Image img, double factor) {
    float f = (float) factor;
    float[] out = new float[img.data.length];
    for (int i = 0; i < out.length; i++) {
      out[i] = clamp(f * img.data[i]);
    }
    return img.with(out);
  }

  /** Blends with the mean of the image's luma (its mean grey level for one channel). */
  public static Image contrast(Image img, double factor) {
    float[] grey = img.channels == 3 ? luma(img) : img.data;
    double sum = 0;
    for (float v : grey) {
      sum += v;
    }
    return blend(img, (float) (sum / grey.length), null, factor);
  }

  /** Blends with the image's own luma. */
  public static Image saturation(Image img, double factor) {
    if (img.channels == 1) {
      return img;
    }
    return blend(img, 0f, luma(img), factor);
  }

  /** Rotates the hue by {@code factor} turns, in [-0.5, 0.5], through HSV as torchvision does. */
  public static Image hue(Image img, double factor) {
    if (img.channels == 1) {
      return img;
    }
    int plane = img.height * img.width;
    float[] in = img.data;
    float[] out = new float[in.length];
    float shift = (float) factor;
    for (int i = 0; i < plane; i++) {
      float r = in[i];
      float g = in[plane + i];
      float b = in[2 * plane + i];
      float max = Math.max(r, Math.max(g, b));
      float min = Math.min(r, Math.min(g, b));
      boolean flat = max == min;
      float chroma = max - min;
      float s = chroma / (flat ? 1f : max);
      float divisor = flat ? 1f : chroma;
      float rc = (max - r) / divisor;
      float gc = (max - g) / divisor;
      float bc = (max - b) / divisor;
      float h;
      if (max == r) {
        h = bc - gc;
      } else if (max == g) {
        h = 2f + rc - bc;
      } else {
        h = 4f + gc - rc;
      }
      h = fraction(h / 6f + 1f);
      h = fraction(h + shift);
      hsvToRgb(h, s, max, out, i, plane);
    }
    return img.with(out);
  }

  /** Luma replicated into every channel; one-channel images are returned as they are. */
  public static Image grayscale(Image img) {
    if (img.channels == 1) {
      return img;
    }
    float[] grey = luma(img);
    float[] out = new float[img.data.length];
    for (int c = 0; c < 3; c++) {
      System.arraycopy(grey, 0, out, c * grey.length, grey.length);
    }
    return img.with(out);
  }

  private static void hsvToRgb(float h, float s, float v, float[] out, int i, int plane) {
    float sector = (float) Math.floor(h * 6f);
    float f = h * 6f - sector;
    float p = clamp(v * (1f - s));
    float q = clamp(v * (1f - s * f));
    float t = clamp(v * (1f - s * (1f - f)));
    float r;
    float g;
    float b;
    switch (Math.floorMod((int) sector, 6)) {
      case 0 -> { r = v; g = t; b = p; }
      case 1 -> { r = q; g = v; b = p; }
      case 2 -> { r = p; g = v; b = t; }
      case 3 -> { r = p; g = q; b = v; }
      case 4 -> { r = t; g = p; b = v; }
      default -> { r = v; g = p; b = q; }
    }
    out[i] = r;
    out[plane + i] = g;
    out[2 * plane + i] = b;
  }

  /**
   * {@code x mod 1} with a non-negative result, as torch's {@code fmod} and {@code %} give it for
   * these ranges; Java's float {@code %} is an x87 loop and would dominate the hue adjustment.
   */
  private static float fraction(float x) {
    return x - (float) Math.floor(x);
  }

  /** {@code clamp(f * img + (1 - f) * other)}, other being a constant or a per-pixel plane. */
  private static Image blend(Image img, float constant, float[] plane, double factor) {
    float f = (float) factor;
    float g = 1f - f;
    float[] out = new float[img.data.length];
    int n = img.height * img.width;
    for (int c = 0; c < img.channels; c++) {
      int base = c * n;
      if (plane == null) {
        float other = g * constant;
        for (int i = 0; i < n; i++) {
          out[base + i] = clamp(f * img.data[base + i] + other);
        }
      } else {
        for (int i = 0; i < n; i++) {
          out[base + i] = clamp(f * img.data[base + i] + g * plane[i]);
        }
      }
    }
    return img.with(out);
  }

  static float[] luma(Image img) {
    int plane = img.height * img.width;
    float[] out = new float[plane];
    for (int i = 0; i < plane; i++) {
      out[i] = LUMA_R * img.data[i] + LUMA_G * img.data[plane + i] + LUMA_B * img.data[2 * plane + i];
    }
    return out;
  }

  static float clamp(float v) {
    return v < 0f ? 0f : (v > 1f ? 1f : v);
  }
}
