package sparkssl.augment;

/**
 * Bilinear resampling with antialiasing, as PIL and torchvision's {@code antialias=True} do it: a
 * triangle filter whose support widens with the downscale factor, applied separably.
 */
public final class Resize {
  private Resize() {}

  /** Resizes the {@code box} region of {@code src} to {@code outH x outW}. */
  public static Image cropResize(Image src, CropBox box, int outH, int outW) {
    Weights wx = weights(box.width(), outW);
    Weights wy = weights(box.height(), outH);
    int c = src.channels;
    float[] tmp = new float[c * box.height() * outW];
    for (int ch = 0; ch < c; ch++) {
      for (int y = 0; y < box.height(); y++) {
        int srcRow = (ch * src.height + box.top() + y) * src.width + box.left();
        int dstRow = (ch * box.height() + y) * outW;
        for (int x = 0; x < outW; x++) {
          tmp[dstRow + x] = wx.apply(src.data, srcRow, x);
        }
      }
    }
    float[] out = new float[c * outH * outW];
    // rows of taps outside, pixels inside: contiguous inner loops the JIT can vectorise
    for (int ch = 0; ch < c; ch++) {
      int plane = ch * box.height() * outW;
      for (int y = 0; y < outH; y++) {
        int dst = (ch * outH + y) * outW;
        float[] k = wy.taps[y];
        for (int t = 0; t < k.length; t++) {
          float kt = k[t];
          int from = plane + (wy.start[y] + t) * outW;
          for (int x = 0; x < outW; x++) {
            out[dst + x] += kt * tmp[from + x];
          }
        }
      }
    }
    return new Image(c, outH, outW, out);
  }

  /** Per output index: first source index and normalised filter taps (PIL's precompute_coeffs). */
  private static final class Weights {
    final int[] start;
    final float[][] taps;

    Weights(int[] start, float[][] taps) {
      this.start = start;
      this.taps = taps;
    }

    float apply(float[] data, int offset, int outIndex) {
      float[] k = taps[outIndex];
      int base = offset + start[outIndex];
      float acc = 0f;
      for (int t = 0; t < k.length; t++) {
        acc += k[t] * data[base + t];
      }
      return acc;
    }
  }

  private static Weights weights(int inSize, int outSize) {
    double scale = (double) inSize / outSize;
    double filterScale = Math.max(scale, 1.0);
    double support = filterScale; // the triangle filter's support is 1
    int[] start = new int[outSize];
    float[][] taps = new float[outSize][];
    for (int o = 0; o < outSize; o++) {
      double center = (o + 0.5) * scale;
      int lo = Math.max((int) (center - support + 0.5), 0);
      int hi = Math.min((int) (center + support + 0.5), inSize);
      double[] k = new double[hi - lo];
      double sum = 0;
      for (int x = lo; x < hi; x++) {
        double d = Math.abs((x - center + 0.5) / filterScale);
        k[x - lo] = d < 1 ? 1 - d : 0;
        sum += k[x - lo];
      }
      float[] kf = new float[k.length];
      for (int t = 0; t < k.length; t++) {
        kf[t] = (float) (sum == 0 ? 0 : k[t] / sum);
      }
      start[o] = lo;
      taps[o] = kf;
    }
    return new Weights(start, taps);
  }
}
