package sparkssl.model.method;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;

/** The registry: {@code METHODS[name]}. */
public final class Methods {
  private static final Map<String, SslMethod> METHODS = new LinkedHashMap<>();

  static {
    Stream.of(new SimClr(), new Byol(), new SimSiam(), new Dino(), new VicReg(), new BarlowTwins())
        .forEach(m -> METHODS.put(m.name(), m));
  }

  private Methods() {}

  public static SslMethod get(String name) {
    SslMethod m = METHODS.get(name);
    if (m == null) {
      throw new IllegalArgumentException("unknown method '" + name + "' (choose from " + String.join(", ", names()) + ")");
    }
    return m;
  }

  public static Iterable<String> names() {
    return METHODS.keySet();
  }
}
