package sparkssl.augment;

import java.util.List;

/**
 * Named augmentation recipes with the values of the method papers and the Cookbook. A preset sets
 * the transforms only; view size and channels come from the data and the model.
 *
 * <ul>
 *   <li>{@code small}: 28-32 px images. Crop 0.2-1, jitter 0.4/0.4/0.4/0.1 (p 0.8), grayscale 0.2,
 *       3 px blur p 0.5, no solarize, no normalization. On grey images hue, saturation and grayscale
 *       change nothing, and crop + brightness/contrast + blur is what the Cookbook found to work.</li>
 *   <li>{@code simclr}: crop 0.08-1, ColorJitter(0.8, 0.8, 0.8, 0.2) p 0.8, grayscale 0.2, blur p 0.5
 *       (kernel a tenth of the side, sigma 0.1-2), ImageNet normalization.</li>
 *   <li>{@code byol}: crop 0.08-1, ColorJitter(0.4, 0.4, 0.2, 0.1) p 0.8, grayscale 0.2, blur 1.0 on
 *       view 1 and 0.1 on view 2, solarize 0 / 0.2, ImageNet normalization.</li>
 *   <li>{@code vicreg}, {@code barlow}: BYOL's recipe, which both papers adopt.</li>
 * </ul>
 */
public final class ViewPresets {
  public static final List<String> NAMES = List.of("small", "simclr", "byol", "vicreg", "barlow");

  private static final double[] IMAGENET_MEAN = {0.485, 0.456, 0.406};
  private static final double[] IMAGENET_STD = {0.229, 0.224, 0.225};

  private ViewPresets() {}

  /** A fresh options object for {@code name}; throws IllegalArgumentException for an unknown name. */
  public static ViewOptions get(String name) {
    ViewOptions o = new ViewOptions();
    switch (name) {
      case "small" -> { }
      case "simclr" -> {
        imageNet(o);
        o.brightness = 0.8;
        o.contrast = 0.8;
        o.saturation = 0.8;
        o.hue = 0.2;
        o.blurProbability = new double[] {0.5};
      }
      case "byol", "vicreg", "barlow" -> {
        imageNet(o);
        o.brightness = 0.4;
        o.contrast = 0.4;
        o.saturation = 0.2;
        o.hue = 0.1;
        o.blurProbability = new double[] {1.0, 0.1};
        o.solarizeProbability = new double[] {0.0, 0.2};
      }
      default -> throw new IllegalArgumentException("unknown preset '" + name + "' (known: " + String.join(", ", NAMES) + ")");
    }
    return o;
  }

  private static void imageNet(ViewOptions o) {
    o.cropScaleMin = 0.08;
    o.normalizeMean = IMAGENET_MEAN.clone();
    o.normalizeStd = IMAGENET_STD.clone();
  }
}
