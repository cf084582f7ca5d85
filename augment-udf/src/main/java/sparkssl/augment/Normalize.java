package sparkssl.augment;

import java.io.Serializable;
import java.util.Arrays;

/**
 * torchvision's Normalize: {@code (x - mean[c]) / std[c]} per channel. The job stores views as
 * uint8, so it is applied where those bytes become the model's floats ({@link #toFloats}).
 */
public final class Normalize implements Serializable {
  private static final long serialVersionUID = 1L;

  private final float[] mean;
  private final float[] std;

  public Normalize(double[] mean, double[] std) {
    if (mean.length != std.length || mean.length == 0) {
      throw new IllegalArgumentException("mean and std need one value per channel, got "
          + Arrays.toString(mean) + " and " + Arrays.toString(std));
    }
    this.mean = new float[mean.length];
    this.std = new float[std.length];
    for (int c = 0; c < mean.length; c++) {
      if (!(std[c] > 0)) {
        throw new IllegalArgumentException("std must be > 0, got " + Arrays.toString(std));
      }
      this.mean[c] = (float) mean[c];
      this.std[c] = (float) std[c];
    }
  }

  /** Values for an image of {@code channels}: a single value applies to every channel. */
  private float meanOf(int c) {
    return mean[mean.length == 1 ? 0 : c];
  }

  private float stdOf(int c) {
    return std[std.length == 1 ? 0 : c];
  }

  /** Checks the value count against the model's channels, so a mismatch fails before any task runs. */
  public void checkChannels(int channels) {
    if (mean.length != 1 && mean.length != channels) {
      throw new IllegalArgumentException("normalize has " + mean.length + " values for " + channels + "-channel views");
    }
  }

  /**
   * Converts {@code count} uint8 CHW views (planes of {@code plane} samples, {@code channels} per
   * view) starting at {@code src[from]} into normalised floats at {@code dst[to]}.
   */
  public void toFloats(byte[] src, int from, float[] dst, int to, int count, int channels, int plane) {
    int i = 0;
    for (int v = 0; v < count; v++) {
      for (int c = 0; c < channels; c++) {
        float m = meanOf(c);
        float s = stdOf(c);
        for (int k = 0; k < plane; k++, i++) {
          dst[to + i] = ((src[from + i] & 0xff) / 255f - m) / s;
        }
      }
    }
  }
}
