package sparkssl.augment;

import java.io.Serializable;
import java.util.SplittableRandom;

/** torchvision's RandomSolarize: with probability {@code p}, inverts every sample at or above {@code threshold}. */
public final class RandomSolarize implements Serializable {
  private static final long serialVersionUID = 1L;

  private final double threshold;
  private final double p;

  public RandomSolarize(double threshold, double p) {
    this.threshold = threshold;
    this.p = p;
  }

  public Image apply(Image img, SplittableRandom rnd) {
    return rnd.nextDouble() < p ? solarize(img, threshold) : img;
  }

  public static Image solarize(Image img, double threshold) {
    float t = (float) threshold;
    float[] out = new float[img.data.length];
    for (int i = 0; i < out.length; i++) {
      float v = img.data[i];
      out[i] = v >= t ? 1f - v : v;
    }
    return img.with(out);
  }
}
