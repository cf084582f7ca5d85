package sparkssl.augment;

import java.io.Serializable;
import java.util.SplittableRandom;

/**
 * torchvision's {@code RandomApply([ColorJitter(brightness, contrast, saturation, hue)], p)}: with
 * probability {@code p}, brightness, contrast, saturation and hue change by factors drawn
 * uniformly from {@code [1-x, 1+x]} ({@code [-hue, hue]} for hue), applied in a random order.
 * A strength of 0 switches that adjustment off.
 */
public final class ColorJitter implements Serializable {
  private static final long serialVersionUID = 1L;

  /** One draw: the order of the four adjustments (0 brightness .. 3 hue) and their factors; NaN = off. */
  public record Draw(int[] order, double brightness, double contrast, double saturation, double hue) {}

  private final double brightness;
  private final double contrast;
  private final double saturation;
  private final double hue;
  private final double p;

  public ColorJitter(double brightness, double contrast, double saturation, double hue, double p) {
    if (brightness < 0 || contrast < 0 || saturation < 0 || hue < 0 || hue > 0.5) {
      throw new IllegalArgumentException("color jitter strengths must be >= 0 and hue <= 0.5, got "
          + brightness + ", " + contrast + ", " + saturation + ", " + hue);
    }
    this.brightness = brightness;
    this.contrast = contrast;
    this.saturation = saturation;
    this.hue = hue;
    this.p = p;
  }

  public Image apply(Image img, SplittableRandom rnd) {
    return rnd.nextDouble() < p ? apply(img, sample(rnd)) : img;
  }

  public Draw sample(SplittableRandom rnd) {
    int[] order = {0, 1, 2, 3};
    for (int i = 3; i > 0; i--) {
      int j = rnd.nextInt(i + 1);
      int t = order[i];
      order[i] = order[j];
      order[j] = t;
    }
    return new Draw(order, factor(rnd, brightness), factor(rnd, contrast), factor(rnd, saturation),
        hue == 0 ? Double.NaN : -hue + 2 * hue * rnd.nextDouble());
  }

  public static Image apply(Image img, Draw d) {
    for (int op : d.order()) {
      img = switch (op) {
        case 0 -> Double.isNaN(d.brightness()) ? img : ColorAdjust.brightness(img, d.brightness());
        case 1 -> Double.isNaN(d.contrast()) ? img : ColorAdjust.contrast(img, d.contrast());
        case 2 -> Double.isNaN(d.saturation()) ? img : ColorAdjust.saturation(img, d.saturation());
        default -> Double.isNaN(d.hue()) ? img : ColorAdjust.hue(img, d.hue());
      };
    }
    return img;
  }

  private static double factor(SplittableRandom rnd, double strength) {
    if (strength == 0) {
      return Double.NaN;
    }
    double lo = Math.max(0, 1 - strength);
    return lo + (1 + strength - lo) * rnd.nextDouble();
  }
}
