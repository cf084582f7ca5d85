package sparkssl.spark.eval;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What the protocols said of one set of features; a protocol that was off leaves its part null.
 *
 * @param knnTop1 the k-NN top-1 at the run's k and T
 */
public record Scores(Double knnTop1, LinearProbe.Result linear) {
  /** What evaluates the encoder that was trained; the baselines' keys add their subject's suffix. */
  public static final String TRAINED = "";
  public static final String RANDOM_INIT = "_random_init";
  public static final String PIXELS = "_pixels";

  /** As a metrics record holds them: {@code knn_top1}, {@code linear_top1}, {@code linear_reg_param}, each + {@code subject}. */
  public Map<String, Object> metrics(String subject) {
    Map<String, Object> m = new LinkedHashMap<>();
    if (knnTop1 != null) {
      m.put("knn_top1" + subject, knnTop1);
    }
    if (linear != null) {
      m.put("linear_top1" + subject, linear.top1());
      m.put("linear_reg_param" + subject, linear.regParam());
    }
    return m;
  }
}
