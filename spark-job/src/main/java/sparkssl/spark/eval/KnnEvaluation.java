package sparkssl.spark.eval;

import java.util.ArrayList;
import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import sparkssl.model.eval.WeightedKnn;

/**
 * k-NN top-1 of labeled features: the bank votes for the queries' classes. Train's evaluation and
 * {@code eval} both score here.
 */
public final class KnnEvaluation {
  /** The Cookbook's k-NN defaults (DINO, solo-learn): k = 20, T = 0.07. */
  public static final String DEFAULT_K = "20";
  public static final String DEFAULT_TEMPERATURE = "0.07";

  /** The result of one (k, T) setting. */
  public record Score(int k, double temperature, int correct, int queries) {
    public double top1() {
      return (double) correct / queries;
    }
  }

  /** Scores over a sweep of settings, with the sizes behind them. */
  public record Sweep(int bankImages, int classes, int queries, List<Score> scores) {}

  private KnnEvaluation() {}

  public static double top1(LabeledFeatures features, int k, double temperature) {
    return sweep(features, List.of(k), List.of(temperature)).scores().get(0).top1();
  }

  /** Every (k, T) pair of {@code ks} x {@code temperatures}, in that order, on the same features. */
  public static Sweep sweep(LabeledFeatures features, List<Integer> ks, List<Double> temperatures) {
    LabeledFeatures.Side bank = features.bank();
    LabeledFeatures.Side queries = features.queries();
    INDArray bankMatrix = Nd4j.create(bank.x());
    INDArray queryMatrix = Nd4j.create(queries.x());
    int classes = features.classes().size();
    List<Score> scores = new ArrayList<>();
    for (int k : ks) {
      for (double temperature : temperatures) {
        int[] predicted = new WeightedKnn(bankMatrix, bank.y(), classes, k, temperature).predict(queryMatrix);
        int correct = 0;
        for (int i = 0; i < predicted.length; i++) {
          correct += predicted[i] == queries.y()[i] ? 1 : 0;
        }
        scores.add(new Score(k, temperature, correct, predicted.length));
      }
    }
    return new Sweep(bank.size(), classes, queries.size(), scores);
  }
}
