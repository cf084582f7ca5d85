package sparkssl.augment;

import java.io.Serializable;

/** The view pipeline's settings, with the defaults used for 28-32 px images. */
public final class ViewOptions implements Serializable {
  private static final long serialVersionUID = 1L;

  /** Output side length of every view, in pixels. */
  public int size = 28;
  /** 1 (grey) or 3 (RGB): sources are converted to this. */
  public int channels = 1;
  /** Views per image; two for the two-view methods. */
  public int numViews = 2;
  /** RandomResizedCrop area fraction range. */
  public double cropScaleMin = 0.2;
  public double cropScaleMax = 1.0;
  /** RandomHorizontalFlip probability. */
  public double flipProbability = 0.5;
  /** Root of every view's random draws. */
  public long seed = 42;
  /** Images whose header claims more pixels are rejected before decoding. */
  public long maxPixels = 64L * 1024 * 1024;
}
