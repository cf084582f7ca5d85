package sparkssl.augment;

import java.util.Arrays;
import java.io.Serializable;
import java.util.SplittableRandom;

/**
 * Turns one encoded image into its augmented views: random resized crop, horizontal flip, colour
 * jitter, grayscale, Gaussian blur, solarize, in that order (SimCLR's and BYOL's). Every view is a
 * pure function of (seed, epoch, path, view index); local crops take the indices after the global
 * views.
 *
 * <p>Views come out as uint8 CHW samples one after another, a quarter of the float size, so rows
 * stay small on their way to the batch builder; {@link #normalize()} turns them into the model's
 * floats there.
 */
public final class ViewPipeline implements Serializable {
  private static final long serialVersionUID = 2L;

  /** The global views ({@code numViews * C * size * size} bytes) and the local ones (null without multi-crop). */
  public record Views(byte[] global, byte[] local) {}

  private final ImageDecoder decoder;
  private final ViewOptions o;
  private final Chain[] global;
  private final Chain local;
  private final Normalize normalize;

  public ViewPipeline(ViewOptions o) {
    String problem = o.problem();
    if (problem != null) {
      throw new IllegalArgumentException("augmentation settings: " + problem);
    }
    this.o = o;
    this.decoder = new ImageDecoder(o.channels, o.maxPixels);
    this.global = new Chain[o.numViews];
    for (int v = 0; v < o.numViews; v++) {
      global[v] = new Chain(o, o.size, o.cropScaleMin, o.cropScaleMax,
          ViewOptions.forView(o.blurProbability, v), ViewOptions.forView(o.solarizeProbability, v));
    }
    this.local = new Chain(o, o.localSize, o.localScaleMin, o.localScaleMax, o.localBlurProbability, o.localSolarizeProbability);
    this.normalize = o.normalize();
  }

  public int channels() {
    return o.channels;
  }

  public int size() {
    return o.size;
  }

  /** Bytes per global view: {@code C * size * size}. */
  public int viewLength() {
    return o.channels * o.size * o.size;
  }

  public Normalize normalize() {
    return normalize;
  }

  /** The global views only: what the two-view methods train on. */
  public byte[] views(byte[] content, String path, int epoch) throws ImageDecodeException {
    return render(content, path, epoch, false).global();
  }

  /**
   * What a training step takes for one image, one view after another: the global views, then any
   * local crops (multi-crop), which must then be the global views' size.
   */
  public byte[] trainingViews(byte[] content, String path, int epoch) throws ImageDecodeException {
    if (o.localCrops > 0 && o.localSize != o.size) {
      throw new IllegalStateException("local crops of " + o.localSize + " px cannot train beside " + o.size + " px global views");
    }
    Views v = render(content, path, epoch, true);
    if (v.local() == null) {
      return v.global();
    }
    byte[] all = Arrays.copyOf(v.global(), v.global().length + v.local().length);
    System.arraycopy(v.local(), 0, all, v.global().length, v.local().length);
    return all;
  }

  /** Views per image in {@link #trainingViews}. */
  public int trainingViewCount() {
    return o.numViews + o.localCrops;
  }

  public Views render(byte[] content, String path, int epoch, boolean withLocal) throws ImageDecodeException {
    return render(decoder.decode(content), path, epoch, withLocal);
  }

  /** Views of an already decoded image (the preview and the benchmarks time decoding apart). */
  public Views render(Image img, String path, int epoch, boolean withLocal) {
    byte[] g = new byte[o.numViews * viewLength()];
    for (int v = 0; v < o.numViews; v++) {
      byte[] view = global[v].apply(img, ViewSeed.random(o.seed, epoch, path, v)).toBytes();
      System.arraycopy(view, 0, g, v * view.length, view.length);
    }
    if (!withLocal || o.localCrops == 0) {
      return new Views(g, null);
    }
    int len = o.channels * o.localSize * o.localSize;
    byte[] l = new byte[o.localCrops * len];
    for (int k = 0; k < o.localCrops; k++) {
      byte[] view = local.apply(img, ViewSeed.random(o.seed, epoch, path, o.numViews + k)).toBytes();
      System.arraycopy(view, 0, l, k * len, len);
    }
    return new Views(g, l);
  }

  public Image decode(byte[] content) throws ImageDecodeException {
    return decoder.decode(content);
  }

  /** The whole image resized to {@code size x size}, no augmentation: what evaluation embeds. */
  public byte[] plain(byte[] content) throws ImageDecodeException {
    return whole(decoder.decode(content)).toBytes();
  }

  /** {@link #plain} of an already decoded image. */
  public Image whole(Image img) {
    return Resize.cropResize(img, new CropBox(0, 0, img.height, img.width), o.size, o.size);
  }

  /** One view's transforms, with that view's probabilities. */
  private static final class Chain implements Serializable {
    private static final long serialVersionUID = 1L;

    private final RandomResizedCrop crop;
    private final RandomHorizontalFlip flip;
    private final ColorJitter jitter;
    private final RandomGrayscale grayscale;
    private final GaussianBlur blur;
    private final RandomSolarize solarize;

    Chain(ViewOptions o, int size, double scaleMin, double scaleMax, double blurP, double solarizeP) {
      crop = new RandomResizedCrop(size, scaleMin, scaleMax, o.cropRatioMin, o.cropRatioMax);
      flip = new RandomHorizontalFlip(o.flipProbability);
      jitter = new ColorJitter(o.brightness, o.contrast, o.saturation, o.hue, o.jitterProbability);
      grayscale = new RandomGrayscale(o.grayscaleProbability);
      blur = new GaussianBlur(o.blurKernel > 0 ? o.blurKernel : GaussianBlur.kernelFor(size),
          o.blurSigmaMin, o.blurSigmaMax, blurP);
      solarize = new RandomSolarize(o.solarizeThreshold, solarizeP);
    }

    Image apply(Image img, SplittableRandom rnd) {
      Image v = flip.apply(crop.apply(img, rnd), rnd);
      v = jitter.apply(v, rnd);
      v = grayscale.apply(v, rnd);
      v = blur.apply(v, rnd);
      return solarize.apply(v, rnd);
    }
  }
}
