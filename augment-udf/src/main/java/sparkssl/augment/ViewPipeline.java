package sparkssl.augment;

import java.io.Serializable;
import java.util.SplittableRandom;

/**
 * Turns one encoded image into {@code numViews} augmented views (random resized crop, then
 * horizontal flip), each a pure function of (seed, epoch, path, view index).
 *
 * <p>The result is the views' uint8 CHW samples one after another: {@code numViews * C * size * size}
 * bytes, a quarter of the float size, so rows stay small on their way to the batch builder.
 */
public final class ViewPipeline implements Serializable {
  private static final long serialVersionUID = 1L;

  private final ImageDecoder decoder;
  private final RandomResizedCrop crop;
  private final RandomHorizontalFlip flip;
  private final int numViews;
  private final long seed;
  private final int channels;
  private final int size;

  public ViewPipeline(ViewOptions o) {
    this.decoder = new ImageDecoder(o.channels, o.maxPixels);
    this.crop = new RandomResizedCrop(o.size, o.cropScaleMin, o.cropScaleMax, 3.0 / 4.0, 4.0 / 3.0);
    this.flip = new RandomHorizontalFlip(o.flipProbability);
    this.numViews = o.numViews;
    this.seed = o.seed;
    this.channels = o.channels;
    this.size = o.size;
  }

  public int channels() {
    return channels;
  }

  public int size() {
    return size;
  }

  /** Bytes per view: {@code C * size * size}. */
  public int viewLength() {
    return channels * size * size;
  }

  public byte[] views(byte[] content, String path, int epoch) throws ImageDecodeException {
    Image img = decoder.decode(content);
    byte[] out = new byte[numViews * viewLength()];
    for (int v = 0; v < numViews; v++) {
      SplittableRandom rnd = ViewSeed.random(seed, epoch, path, v);
      Image view = flip.apply(crop.apply(img, rnd), rnd);
      System.arraycopy(view.toBytes(), 0, out, v * viewLength(), viewLength());
    }
    return out;
  }

  /** The whole image resized to {@code size x size}, no augmentation: what evaluation embeds. */
  public byte[] plain(byte[] content) throws ImageDecodeException {
    Image img = decoder.decode(content);
    return Resize.cropResize(img, new CropBox(0, 0, img.height, img.width), size, size).toBytes();
  }
}
