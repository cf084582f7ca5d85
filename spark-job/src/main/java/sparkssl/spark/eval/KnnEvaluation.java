package sparkssl.spark.eval;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import scala.Tuple2;
import sparkssl.model.eval.WeightedKnn;
import sparkssl.spark.ml.EncoderModel;
import sparkssl.spark.ml.TrainedEncoder;

/**
 * k-NN top-1 of an encoder: the labeled train folder is the bank, the test folder the queries. Train's
 * evaluation and {@code eval} both score here, and embed with {@link EncoderModel} as {@code embed}
 * does; the embeddings are computed on the executors and only {@code (label, embedding)} pairs come back
 * to the driver. An undecodable labeled image drops out of the vote.
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

  /** An encoder's scores over a sweep of settings, with the sizes behind them. */
  public record Sweep(int bankImages, int classes, int queries, List<Score> scores) {}

  private final Dataset<Row> bank;
  private final Dataset<Row> queries;

  /** Both sets as {@code (path, content, label)} rows. */
  public KnnEvaluation(Dataset<Row> bank, Dataset<Row> queries) {
    this.bank = bank;
    this.queries = queries;
  }

  public double top1(TrainedEncoder encoder, int k, double temperature) {
    return sweep(encoder, List.of(k), List.of(temperature)).scores().get(0).top1();
  }

  /** Every (k, T) pair of {@code ks} x {@code temperatures}, in that order, on one set of embeddings. */
  public Sweep sweep(TrainedEncoder encoder, List<Integer> ks, List<Double> temperatures) {
    EncoderModel model = new EncoderModel(encoder).setHandleInvalid("skip");
    List<Tuple2<String, float[]>> b = embed(model, bank);
    List<Tuple2<String, float[]>> q = embed(model, queries);
    if (b.isEmpty() || q.isEmpty()) {
      throw new IllegalStateException("k-NN evaluation needs images in both the train and the test folder");
    }
    Map<String, Integer> classes = new TreeMap<>();
    b.forEach(t -> classes.putIfAbsent(t._1(), 0));
    int c = 0;
    for (Map.Entry<String, Integer> e : classes.entrySet()) {
      e.setValue(c++);
    }
    INDArray bankMatrix = Nd4j.create(matrix(b));
    INDArray queryMatrix = Nd4j.create(matrix(q));
    int[] bankLabels = labels(b, classes);
    // a test class missing from the bank can never be predicted: it counts as wrong
    int[] queryLabels = labels(q, classes);
    List<Score> scores = new ArrayList<>();
    for (int k : ks) {
      for (double temperature : temperatures) {
        int[] predicted = new WeightedKnn(bankMatrix, bankLabels, classes.size(), k, temperature).predict(queryMatrix);
        int correct = 0;
        for (int i = 0; i < predicted.length; i++) {
          correct += predicted[i] == queryLabels[i] ? 1 : 0;
        }
        scores.add(new Score(k, temperature, correct, predicted.length));
      }
    }
    return new Sweep(b.size(), classes.size(), q.size(), scores);
  }

  private static List<Tuple2<String, float[]>> embed(EncoderModel model, Dataset<Row> labeled) {
    return model.transform(labeled).select("label", model.getOutputCol()).javaRDD()
        .map(row -> new Tuple2<>(row.getString(0), EncoderModel.toFloats(row.getAs(1))))
        .collect();
  }

  private static float[][] matrix(List<Tuple2<String, float[]>> rows) {
    float[][] m = new float[rows.size()][];
    for (int i = 0; i < m.length; i++) {
      m[i] = rows.get(i)._2();
    }
    return m;
  }

  private static int[] labels(List<Tuple2<String, float[]>> rows, Map<String, Integer> classes) {
    int[] y = new int[rows.size()];
    for (int i = 0; i < y.length; i++) {
      y[i] = classes.getOrDefault(rows.get(i)._1(), -1);
    }
    return y;
  }
}
