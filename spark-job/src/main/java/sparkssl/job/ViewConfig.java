package sparkssl.job;

import java.io.Serializable;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Option;
import sparkssl.augment.ViewOptions;
import sparkssl.augment.ViewPresets;

/** The command-line options that decide what the model sees: view shape, preset and overrides. */
public final class ViewConfig implements Serializable {
  private static final long serialVersionUID = 1L;

  @Option(names = "--image-size", defaultValue = "28", description = "Side of every view in pixels (default: ${DEFAULT-VALUE}).")
  public int imageSize;

  @Option(names = "--channels", defaultValue = "1", description = "1 (grey) or 3 (RGB); images are converted (default: ${DEFAULT-VALUE}).")
  public int channels;

  @Option(names = "--preset", defaultValue = "small",
      description = "Augmentation recipe: small (28-32 px images), simclr, byol, vicreg, barlow; see the README (default: ${DEFAULT-VALUE}).")
  public String preset;

  @Option(names = "--augment", paramLabel = "KEY=VALUE",
      description = "Overrides one augmentation value of the preset, repeatable, e.g. --augment blur_p=1.0,0.1. Keys: "
          + "crop_scale, crop_ratio, flip_p, jitter_p, brightness, contrast, saturation, hue, grayscale_p, blur_p, "
          + "blur_sigma, blur_kernel, solarize_p, solarize_threshold, normalize_mean, normalize_std, local_crops, "
          + "local_size, local_scale, local_blur_p, local_solarize_p.")
  public Map<String, String> augment = new LinkedHashMap<>();

  @Option(names = "--max-pixels", defaultValue = "67108864",
      description = "Images whose header claims more pixels are skipped unread (default: ${DEFAULT-VALUE}).")
  public long maxPixels;
  /** The pipeline's settings: the preset, then each override, then shape and seed. */
  public ViewOptions viewOptions(long seed) {
    ViewOptions v = ViewPresets.get(preset);
    augment.forEach(v::set);
    v.size = imageSize;
    v.channels = channels;
    v.numViews = 2;
    v.seed = seed;
    v.maxPixels = maxPixels;
    return v;
  }

  /** The first thing wrong with these options, or null. */
  public String problem(long seed) {
    if (imageSize < 8) return "--image-size must be >= 8, got " + imageSize;
    if (channels != 1 && channels != 3) return "--channels must be 1 or 3, got " + channels;
    if (maxPixels < 1) return "--max-pixels must be >= 1, got " + maxPixels;
    try {
      String p = viewOptions(seed).problem();
      return p == null ? null : "--preset/--augment: " + p;
    } catch (IllegalArgumentException e) {
      return "--preset/--augment: " + e.getMessage();
    }
  }
}
