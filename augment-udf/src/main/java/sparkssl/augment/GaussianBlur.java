package sparkssl.augment;

import java.io.Serializable;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * torchvision's {@code RandomApply([GaussianBlur(kernel, sigma=(min, max))], p)}: sigma drawn
 * uniformly per view, a normalised Gaussian kernel sampled at integer offsets, reflect padding.
 * The 2-D kernel is separable, so it runs as a row pass and a column pass.
 */
public final class GaussianBlur implements Serializable {
  private static final long serialVersionUID = 1L;

  private final int kernelSize;
  private final double sigmaMin;
  private final double sigmaMax;
  private final double p;

  /** {@code kernelSize} must be odd and positive. */
  public GaussianBlur(int kernelSize, double sigmaMin, double sigmaMax, double p) {
    if (kernelSize <= 0 || kernelSize % 2 == 0 || sigmaMin <= 0 || sigmaMin > sigmaMax) {
      throw new IllegalArgumentException("bad GaussianBlur parameters: kernel " + kernelSize
          + " (must be odd), sigma (" + sigmaMin + ", " + sigmaMax + ")");
    }
    this.kernelSize = kernelSize;
    this.sigmaMin = sigmaMin;
    this.sigmaMax = sigmaMax;
    this.p = p;
  }

  /** SimCLR's choice: about a tenth of the view's side, made odd, at least 3. */
  public static int kernelFor(int size) {
    int k = (int) Math.round(size * 0.1);
    return Math.max(3, k % 2 == 0 ? k + 1 : k);
  }

  public Image apply(Image img, SplittableRandom rnd) {
    if (rnd.nextDouble() >= p) {
      return img;
    }
    return blur(img, kernelSize, sigmaMin + (sigmaMax - sigmaMin) * rnd.nextDouble());
  }

  public static Image blur(Image img, int kernelSize, double sigma) {
    float[] full = kernel(kernelSize, sigma);
    int half = kernelSize / 2;
    int skip = negligibleTaps(full);
    float[] k = Arrays.copyOfRange(full, skip, full.length - skip);
    int h = img.height;
    int w = img.width;
    int[] colIndex = reflectIndex(w, half);
    int[] rowIndex = reflectIndex(h, half);
    float[] padded = new float[w + 2 * half];
    float[] tmp = new float[img.data.length];
    float[] out = new float[img.data.length];
    // both passes loop over taps outside and pixels inside, so the inner loops run over contiguous
    // memory and the JIT can vectorise them
    for (int c = 0; c < img.channels; c++) {
      int plane = c * h * w;
      for (int y = 0; y < h; y++) {
        int row = plane + y * w;
        for (int i = 0; i < padded.length; i++) {
          padded[i] = img.data[row + colIndex[i]];
        }
        for (int t = 0; t < k.length; t++) {
          float kt = k[t];
          for (int x = 0; x < w; x++) {
            tmp[row + x] += kt * padded[x + t + skip];
          }
        }
      }
      for (int y = 0; y < h; y++) {
        int dst = plane + y * w;
        for (int t = 0; t < k.length; t++) {
          float kt = k[t];
          int src = plane + rowIndex[y + t + skip] * w;
          for (int x = 0; x < w; x++) {
            out[dst + x] += kt * tmp[src + x];
          }
        }
      }
    }
    return img.with(out);
  }

  /**
   * Taps at each end whose weights add up to less than 1e-7: a small sigma in a large kernel
   * (sigma 0.1 in SimCLR's 23 taps) leaves most taps near zero, and skipping them changes an output
   * sample by less than 1e-6 while saving most of the work.
   */
  static int negligibleTaps(float[] k) {
    int skip = 0;
    double tail = 0;
    while (skip < k.length / 2 && tail + k[skip] < 1e-7) {
      tail += k[skip];
      skip++;
    }
    return skip;
  }

  /** torchvision's {@code _get_gaussian_kernel1d}, in float as it computes it. */
  static float[] kernel(int size, double sigma) {
    float half = (size - 1) * 0.5f;
    float s = (float) sigma;
    float[] k = new float[size];
    float sum = 0f;
    for (int i = 0; i < size; i++) {
      float x = size == 1 ? -half : -half + i * (2 * half / (size - 1));
      float z = x / s;
      k[i] = (float) Math.exp(-0.5f * z * z);
      sum += k[i];
    }
    for (int i = 0; i < size; i++) {
      k[i] /= sum;
    }
    return k;
  }

  /**
   * Source index for each padded position {@code -half .. n-1+half}, mirrored without repeating the
   * edge (torch's "reflect"); mirrored again as often as needed when the kernel outgrows the image.
   */
  private static int[] reflectIndex(int n, int half) {
    int[] idx = new int[n + 2 * half];
    for (int i = 0; i < idx.length; i++) {
      int j = i - half;
      if (n == 1) {
        j = 0;
      }
      while (j < 0 || j >= n) {
        j = j < 0 ? -j : 2 * (n - 1) - j;
      }
      idx[i] = j;
    }
    return idx;
  }
}
