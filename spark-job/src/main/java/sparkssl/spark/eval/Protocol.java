package sparkssl.spark.eval;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** How an encoder's embeddings are scored on the labeled sets. */
public enum Protocol {
  /** Weighted k-NN, {@link KnnEvaluation}: cheap, no fitting. */
  KNN,
  /** A multinomial logistic regression on the frozen embeddings, {@link LinearProbe}. */
  LINEAR;

  /** What {@code train} evaluates unless told otherwise: the probe costs several fits per evaluation. */
  public static final String DEFAULT = "knn";

  /** The protocol named {@code name} as the command line spells it ({@code knn}, {@code linear}). */
  public static Protocol of(String name) {
    try {
      return valueOf(name.strip().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("unknown protocol '" + name + "' (choose from "
          + Arrays.stream(values()).map(Protocol::toString).collect(Collectors.joining(", ")) + ")");
    }
  }

  @Override
  public String toString() {
    return name().toLowerCase(Locale.ROOT);
  }
}
