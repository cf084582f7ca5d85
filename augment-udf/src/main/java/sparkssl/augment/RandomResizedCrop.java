package sparkssl.augment;

import java.io.Serializable;
import java.util.SplittableRandom;

/**
 * torchvision's RandomResizedCrop: an area fraction in {@code scale} and a log-uniform aspect ratio
 * in {@code ratio}, ten tries, then a centre crop clamped to the ratio range; resized with
 * antialiased bilinear resampling.
 */
public final class RandomResizedCrop implements Serializable {
  private static final long serialVersionUID = 1L;

  private final int size;
  private final double scaleMin;
  private final double scaleMax;
  private final double ratioMin;
  private final double ratioMax;

  public RandomResizedCrop(int size, double scaleMin, double scaleMax, double ratioMin, double ratioMax) {
    if (size <= 0 || scaleMin <= 0 || scaleMin > scaleMax || scaleMax > 1 || ratioMin <= 0 || ratioMin > ratioMax) {
      throw new IllegalArgumentException("bad RandomResizedCrop parameters: size=" + size
          + " scale=(" + scaleMin + "," + scaleMax + ") ratio=(" + ratioMin + "," + ratioMax + ")");
    }
    this.size = size;
    this.scaleMin = scaleMin;
    this.scaleMax = scaleMax;
    this.ratioMin = ratioMin;
    this.ratioMax = ratioMax;
  }

  public CropBox sample(int height, int width, SplittableRandom rnd) {
    double area = (double) height * width;
    double logMin = Math.log(ratioMin);
    double logMax = Math.log(ratioMax);
    for (int attempt = 0; attempt < 10; attempt++) {
      double targetArea = area * uniform(rnd, scaleMin, scaleMax);
      double aspect = Math.exp(uniform(rnd, logMin, logMax));
      // Python's round() rounds half to even, as Math.rint does
      int w = (int) Math.rint(Math.sqrt(targetArea * aspect));
      int h = (int) Math.rint(Math.sqrt(targetArea / aspect));
      if (w > 0 && w <= width && h > 0 && h <= height) {
        int top = rnd.nextInt(height - h + 1);
        int left = rnd.nextInt(width - w + 1);
        return new CropBox(top, left, h, w);
      }
    }
    double inRatio = (double) width / height;
    int w;
    int h;
    if (inRatio < ratioMin) {
      w = width;
      h = (int) Math.rint(w / ratioMin);
    } else if (inRatio > ratioMax) {
      h = height;
      w = (int) Math.rint(h * ratioMax);
    } else {
      w = width;
      h = height;
    }
    return new CropBox((height - h) / 2, (width - w) / 2, h, w);
  }

  public Image apply(Image img, SplittableRandom rnd) {
    return Resize.cropResize(img, sample(img.height, img.width, rnd), size, size);
  }

  private static double uniform(SplittableRandom rnd, double lo, double hi) {
    return lo + (hi - lo) * rnd.nextDouble();
  }
}
