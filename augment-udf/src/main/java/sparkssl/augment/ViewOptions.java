package sparkssl.augment;

import java.io.Serializable;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The view pipeline's settings: output shape, then every transform's parameters in the order they
 * run (crop, flip, colour jitter, grayscale, blur, solarize; normalize when the bytes become floats).
 * Start from a preset ({@link ViewPresets}) and override single values by key ({@link #set}); the
 * field defaults are the {@code small} preset's.
 *
 * <p>Per-view probabilities ({@link #blurProbability}, {@link #solarizeProbability}) hold one value
 * per global view; views past the end use the last value. BYOL's asymmetry is {@code {1.0, 0.1}}.
 */
public final class ViewOptions implements Serializable {
  private static final long serialVersionUID = 2L;

  /** Side length of every global view, in pixels. */
  public int size = 28;
  /** 1 (grey) or 3 (RGB): sources are converted to this. */
  public int channels = 1;
  /** Global views per image; two for the two-view methods. */
  public int numViews = 2;

  /** RandomResizedCrop area fraction and aspect ratio ranges of the global views. */
  public double cropScaleMin = 0.2;
  public double cropScaleMax = 1.0;
  public double cropRatioMin = 3.0 / 4.0;
  public double cropRatioMax = 4.0 / 3.0;
  public double flipProbability = 0.5;

  /** ColorJitter strengths (0 = off) and the probability that jitter is applied at all. */
  public double jitterProbability = 0.8;
  public double brightness = 0.4;
  public double contrast = 0.4;
  public double saturation = 0.4;
  public double hue = 0.1;
  public double grayscaleProbability = 0.2;

  /** GaussianBlur: per-view probability, sigma range, kernel size (0 = a tenth of the view's side, odd). */
  public double[] blurProbability = {0.5};
  public double blurSigmaMin = 0.1;
  public double blurSigmaMax = 2.0;
  public int blurKernel = 0;

  /** RandomSolarize: per-view probability and the threshold on [0,1] samples. */
  public double[] solarizeProbability = {0.0};
  public double solarizeThreshold = 0.5;

  /** Normalize: one value per channel, or one for all; grey views use the mean of three. */
  public double[] normalizeMean = {0.0};
  public double[] normalizeStd = {1.0};

  /** Multi-crop: extra small views per image at their own size and scale (DINO's defaults). */
  public int localCrops = 0;
  public int localSize = 96;
  public double localScaleMin = 0.05;
  public double localScaleMax = 0.4;
  public double localBlurProbability = 0.5;
  public double localSolarizeProbability = 0.0;

  /** Root of every view's random draws. */
  public long seed = 42;
  /** Images whose header claims more pixels are rejected before decoding. */
  public long maxPixels = 64L * 1024 * 1024;

  /** The keys {@link #set} accepts, each with what it means; the same names appear in config.json. */
  public static final Map<String, String> KEYS = keys();

  private static Map<String, String> keys() {
    Map<String, String> k = new LinkedHashMap<>();
    k.put("crop_scale", "MIN,MAX area fraction of the random resized crop");
    k.put("crop_ratio", "MIN,MAX aspect ratio of the random resized crop");
    k.put("flip_p", "horizontal flip probability");
    k.put("jitter_p", "probability of applying colour jitter");
    k.put("brightness", "colour jitter strength, factor in [1-x, 1+x]; 0 = off");
    k.put("contrast", "colour jitter strength; 0 = off");
    k.put("saturation", "colour jitter strength; 0 = off");
    k.put("hue", "colour jitter hue shift in [-x, x] turns, x <= 0.5; 0 = off");
    k.put("grayscale_p", "random grayscale probability");
    k.put("blur_p", "Gaussian blur probability per global view, e.g. 1.0,0.1");
    k.put("blur_sigma", "MIN,MAX of the blur's sigma in pixels");
    k.put("blur_kernel", "odd blur kernel size; 0 = a tenth of the view's side");
    k.put("solarize_p", "solarize probability per global view, e.g. 0,0.2");
    k.put("solarize_threshold", "samples >= this (in [0,1]) are inverted");
    k.put("normalize_mean", "per-channel mean subtracted from [0,1] samples");
    k.put("normalize_std", "per-channel std the samples are divided by");
    k.put("local_crops", "multi-crop: small local views per image (0 = none)");
    k.put("local_size", "side of the local views in pixels");
    k.put("local_scale", "MIN,MAX area fraction of the local crops");
    k.put("local_blur_p", "blur probability of local views");
    k.put("local_solarize_p", "solarize probability of local views");
    return k;
  }

  /** Overrides one value; throws IllegalArgumentException naming the key and the accepted keys. */
  public ViewOptions set(String key, String value) {
    try {
      double[] v = Arrays.stream(value.split(",")).map(String::trim).mapToDouble(Double::parseDouble).toArray();
      switch (key) {
        case "crop_scale" -> { cropScaleMin = pair(v)[0]; cropScaleMax = pair(v)[1]; }
        case "crop_ratio" -> { cropRatioMin = pair(v)[0]; cropRatioMax = pair(v)[1]; }
        case "flip_p" -> flipProbability = one(v);
        case "jitter_p" -> jitterProbability = one(v);
        case "brightness" -> brightness = one(v);
        case "contrast" -> contrast = one(v);
        case "saturation" -> saturation = one(v);
        case "hue" -> hue = one(v);
        case "grayscale_p" -> grayscaleProbability = one(v);
        case "blur_p" -> blurProbability = v;
        case "blur_sigma" -> { blurSigmaMin = pair(v)[0]; blurSigmaMax = pair(v)[1]; }
        case "blur_kernel" -> blurKernel = integer(v);
        case "solarize_p" -> solarizeProbability = v;
        case "solarize_threshold" -> solarizeThreshold = one(v);
        case "normalize_mean" -> normalizeMean = v;
        case "normalize_std" -> normalizeStd = v;
        case "local_crops" -> localCrops = integer(v);
        case "local_size" -> localSize = integer(v);
        case "local_scale" -> { localScaleMin = pair(v)[0]; localScaleMax = pair(v)[1]; }
        case "local_blur_p" -> localBlurProbability = one(v);
        case "local_solarize_p" -> localSolarizeProbability = one(v);
        default -> throw new IllegalArgumentException("unknown augmentation key '" + key + "' (known: "
            + String.join(", ", KEYS.keySet()) + ")");
      }
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("augmentation " + key + ": not a number list: '" + value + "'");
    } catch (ArityException e) {
      throw new IllegalArgumentException("augmentation " + key + "=" + value + ": " + e.getMessage());
    }
    return this;
  }

  /** The first thing wrong with these settings, or null. */
  public String problem() {
    if (size < 1 || localSize < 1) return "view sizes must be >= 1";
    if (channels != 1 && channels != 3) return "channels must be 1 or 3, got " + channels;
    if (numViews < 1 || localCrops < 0) return "need >= 1 global view and >= 0 local crops";
    if (!(0 < cropScaleMin && cropScaleMin <= cropScaleMax && cropScaleMax <= 1)) return "crop_scale must satisfy 0 < MIN <= MAX <= 1";
    if (!(0 < localScaleMin && localScaleMin <= localScaleMax && localScaleMax <= 1)) return "local_scale must satisfy 0 < MIN <= MAX <= 1";
    if (!(0 < cropRatioMin && cropRatioMin <= cropRatioMax)) return "crop_ratio must satisfy 0 < MIN <= MAX";
    for (double p : concat(new double[] {flipProbability, jitterProbability, grayscaleProbability,
        localBlurProbability, localSolarizeProbability}, blurProbability, solarizeProbability)) {
      if (!(p >= 0 && p <= 1)) return "probabilities must be in [0, 1], got " + p;
    }
    if (blurProbability.length == 0 || solarizeProbability.length == 0) return "blur_p and solarize_p need at least one value";
    if (brightness < 0 || contrast < 0 || saturation < 0 || !(hue >= 0 && hue <= 0.5)) return "jitter strengths must be >= 0 and hue in [0, 0.5]";
    if (!(0 < blurSigmaMin && blurSigmaMin <= blurSigmaMax)) return "blur_sigma must satisfy 0 < MIN <= MAX";
    if (blurKernel < 0 || (blurKernel > 0 && blurKernel % 2 == 0)) return "blur_kernel must be odd, or 0 for auto, got " + blurKernel;
    if (normalizeMean.length != normalizeStd.length) return "normalize_mean and normalize_std need as many values";
    if (normalizeMean.length != 1 && normalizeMean.length != 3) {
      return "normalize needs 1 or 3 values, got " + normalizeMean.length;
    }
    for (double s : normalizeStd) {
      if (!(s > 0)) return "normalize_std must be > 0";
    }
    return null;
  }

  /** The Normalize these settings ask for, fitted to the view's channel count. */
  public Normalize normalize() {
    if (channels == 1 && normalizeMean.length == 3) {
      return new Normalize(new double[] {Arrays.stream(normalizeMean).average().orElseThrow()},
          new double[] {Arrays.stream(normalizeStd).average().orElseThrow()});
    }
    return new Normalize(normalizeMean, normalizeStd);
  }

  /** The value of a per-view probability list for view {@code index}. */
  static double forView(double[] perView, int index) {
    return perView[Math.min(index, perView.length - 1)];
  }

  /** Every setting by its {@link #KEYS} name plus the shape, for config.json. */
  public Map<String, Object> describe() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("size", size);
    m.put("channels", channels);
    m.put("views", numViews);
    m.put("crop_scale", new double[] {cropScaleMin, cropScaleMax});
    m.put("crop_ratio", new double[] {cropRatioMin, cropRatioMax});
    m.put("flip_p", flipProbability);
    m.put("jitter_p", jitterProbability);
    m.put("brightness", brightness);
    m.put("contrast", contrast);
    m.put("saturation", saturation);
    m.put("hue", hue);
    m.put("grayscale_p", grayscaleProbability);
    m.put("blur_p", blurProbability);
    m.put("blur_sigma", new double[] {blurSigmaMin, blurSigmaMax});
    m.put("blur_kernel", blurKernel);
    m.put("solarize_p", solarizeProbability);
    m.put("solarize_threshold", solarizeThreshold);
    m.put("normalize_mean", normalizeMean);
    m.put("normalize_std", normalizeStd);
    m.put("local_crops", localCrops);
    m.put("local_size", localSize);
    m.put("local_scale", new double[] {localScaleMin, localScaleMax});
    m.put("local_blur_p", localBlurProbability);
    m.put("local_solarize_p", localSolarizeProbability);
    m.put("seed", seed);
    m.put("max_pixels", maxPixels);
    return m;
  }

  @Override
  public String toString() {
    StringBuilder s = new StringBuilder();
    describe().forEach((k, v) -> s.append(s.length() == 0 ? "" : " ").append(k).append('=')
        .append(v instanceof double[] d ? Arrays.toString(d).replaceAll("[\\[\\] ]", "") : String.valueOf(v)));
    return s.toString().toLowerCase(Locale.ROOT);
  }

  private static final class ArityException extends RuntimeException {
    ArityException(String message) {
      super(message);
    }
  }

  private static double one(double[] v) {
    if (v.length != 1) throw new ArityException("expected one value");
    return v[0];
  }

  private static double[] pair(double[] v) {
    if (v.length != 2) throw new ArityException("expected MIN,MAX");
    return v;
  }

  private static int integer(double[] v) {
    double x = one(v);
    if (x != Math.rint(x)) throw new ArityException("expected an integer");
    return (int) x;
  }

  private static double[] concat(double[]... parts) {
    return Arrays.stream(parts).flatMapToDouble(Arrays::stream).toArray();
  }
}
