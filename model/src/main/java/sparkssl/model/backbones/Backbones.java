package sparkssl.model.backbones;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The backbones {@code --backbone} takes, by name. */
public final class Backbones {
  /** The small CNN's conv widths unless told otherwise, as {@code --conv-widths} takes them. */
  public static final String SMALL_CNN_WIDTHS = "32,64,128";

  private static final Map<String, Backbone> BACKBONES = new LinkedHashMap<>();

  static {
    for (Backbone b : List.of(new SmallCnn(), ResNet.cifar18(), ResNet.imagenet18(), ResNet.imagenet50())) {
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

  /** {@link #SMALL_CNN_WIDTHS} as numbers. */
  public static int[] smallCnnWidths() {
    return Arrays.stream(SMALL_CNN_WIDTHS.split(",")).mapToInt(Integer::parseInt).toArray();
  }

  /** Why these conv widths cannot shape the named backbone, or null when they can. */
  public static String convWidthsProblem(String name, int[] widths) {
    if (!name.equals(SmallCnn.NAME)) {
      return Arrays.equals(widths, smallCnnWidths()) ? null : "shapes --backbone " + SmallCnn.NAME + " only; " + name + " has fixed widths";
    }
    if (widths.length < 1 || widths.length > SmallCnn.MAX_BLOCKS || Arrays.stream(widths).anyMatch(w -> w < 1)) {
      return "takes 1 to " + SmallCnn.MAX_BLOCKS + " widths of at least 1, got " + Arrays.toString(widths);
    }
    return null;
  }

  /** Why a backbone cannot take images of that side, or null when it can. */
  public static String imageSizeProblem(String name, int imageSize) {
    Backbone b = get(name);
    return imageSize < b.minImageSize()
        ? "backbone " + name + " needs images of at least " + b.minImageSize() + " px, got --image-size " + imageSize
        : null;
  }
}
