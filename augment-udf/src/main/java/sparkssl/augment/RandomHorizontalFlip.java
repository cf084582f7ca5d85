package sparkssl.augment;

import java.io.Serializable;
import java.util.SplittableRandom;

/** torchvision's RandomHorizontalFlip: mirrors left-right with probability {@code p}. */
public final class RandomHorizontalFlip implements Serializable {
  private static final long serialVersionUID = 1L;

  private final double p;

  public RandomHorizontalFlip(double p) {
    this.p = p;
  }

  public Image apply(Image img, SplittableRandom rnd) {
    if (rnd.nextDouble() >= p) {
      return img;
    }
    return flip(img);
  }

  static Image flip(Image img) {
    float[] out = new float[img.data.length];
    for (int row = 0; row < img.channels * img.height; row++) {
      int base = row * img.width;
      for (int x = 0; x < img.width; x++) {
        out[base + x] = img.data[base + img.width - 1 - x];
      }
    }
    return new Image(img.channels, img.height, img.width, out);
  }
}
