package sparkssl.augment;

import java.io.Serializable;
import java.util.SplittableRandom;

/** torchvision's RandomGrayscale: with probability {@code p}, luma in every channel. */
public final class RandomGrayscale implements Serializable {
  private static final long serialVersionUID = 1L;

  private final double p;

  public RandomGrayscale(double p) {
    this.p = p;
  }

  public Image apply(Image img, SplittableRandom rnd) {
    return rnd.nextDouble() < p ? ColorAdjust.grayscale(img) : img;
  }
}
