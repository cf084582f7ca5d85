package sparkssl.model.backbones;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The backbones {@code --backbone} takes, by name. */
public final class Backbones {
  private static final Map<String, Backbone> BACKBONES = new LinkedHashMap<>();

  static {
    for (Backbone b : List.of(SmallCnn.standard(), SmallCnn.deep(), ResNet.cifar18(), ResNet.imagenet18(), ResNet.imagenet50())) {
      BACKBONES.put(b.name(), b);
    }
  }

  private Backbones() {}

  public static List<String> names() {
    return List.copyOf(BACKBONES.keySet());
  }

  /** The backbone of that name; an {@link IllegalArgumentException} naming the known ones otherwise. */
  public static Backbone get(String name) {
    Backbone b = BACKBONES.get(name);
    if (b == null) {
      throw new IllegalArgumentException("unknown backbone '" + name + "' (choose from " + String.join(", ", names()) + ")");
    }
    return b;
  }

  /** The widths of {@code small-cnn}, the default backbone, which every {@link sparkssl.model.ModelOptions} starts with. */
  public static int[] smallCnnWidths() {
    return SmallCnn.standard().defaultWidths();
  }

  /**
   * The conv widths a run of the named backbone builds: {@code given} ({@code --conv-widths}) when not
   * null, else the small CNN's own; a ResNet, whose widths are fixed, records {@link #smallCnnWidths()}.
   */
  public static int[] convWidths(String name, int[] given) {
    if (given != null) {
      return given;
    }
    return get(name) instanceof SmallCnn s ? s.defaultWidths() : smallCnnWidths();
  }

  /** Why these {@code --conv-widths} (null: not given) cannot shape the named backbone, or null when they can. */
  public static String convWidthsProblem(String name, int[] given) {
    if (given == null) {
      return null;
    }
    if (!(get(name) instanceof SmallCnn)) {
      return "shapes the small CNNs only (" + String.join(", ", smallCnnNames()) + "); " + name + " has fixed widths";
    }
    if (given.length < 1 || given.length > SmallCnn.MAX_BLOCKS || Arrays.stream(given).anyMatch(w -> w < 1)) {
      return "takes 1 to " + SmallCnn.MAX_BLOCKS + " widths of at least 1, got " + Arrays.toString(given);
    }
    return null;
  }

  private static List<String> smallCnnNames() {
    return BACKBONES.values().stream().filter(b -> b instanceof SmallCnn).map(Backbone::name).toList();
  }

  /** Why a backbone cannot take images of that side, or null when it can. */
  public static String imageSizeProblem(String name, int imageSize) {
    Backbone b = get(name);
    return imageSize < b.minImageSize()
        ? "backbone " + name + " needs images of at least " + b.minImageSize() + " px, got --image-size " + imageSize
        : null;
  }
}
