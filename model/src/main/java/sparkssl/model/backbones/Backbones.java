package sparkssl.model.backbones;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The backbones {@code --backbone} takes, by name. */
public final class Backbones {
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

  /** Why a backbone cannot take images of that side, or null when it can. */
  public static String imageSizeProblem(String name, int imageSize) {
    Backbone b = get(name);
    return imageSize < b.minImageSize()
        ? "backbone " + name + " needs images of at least " + b.minImageSize() + " px, got --image-size " + imageSize
        : null;
  }
}
