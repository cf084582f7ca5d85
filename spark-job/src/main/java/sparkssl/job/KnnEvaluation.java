package sparkssl.job;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.factory.Nd4j;
import scala.Tuple2;
import sparkssl.augment.ViewPipeline;
import sparkssl.model.eval.WeightedKnn;

/** k-NN top-1 of an encoder: the labeled train folder is the bank, the test folder the queries. */
final class KnnEvaluation {
  private final JavaSparkContext sc;
  private final Dataset<Row> bank;
  private final Dataset<Row> queries;
  private final ViewPipeline pipeline;
  private final int k;
  private final double temperature;

  KnnEvaluation(JavaSparkContext sc, Dataset<Row> bank, Dataset<Row> queries, ViewPipeline pipeline,
      int k, double temperature) {
    this.sc = sc;
    this.bank = bank;
    this.queries = queries;
    this.pipeline = pipeline;
    this.k = k;
    this.temperature = temperature;
  }

  double top1(MultiLayerNetwork net) {
    List<Tuple2<String, float[]>> b = Embeddings.of(sc, net, bank, pipeline);
    List<Tuple2<String, float[]>> q = Embeddings.of(sc, net, queries, pipeline);
    if (b.isEmpty() || q.isEmpty()) {
      throw new IllegalStateException("k-NN evaluation needs images in both the train and the test folder");
    }
    Map<String, Integer> classes = new TreeMap<>();
    b.forEach(t -> classes.putIfAbsent(t._1(), 0));
    int c = 0;
    for (Map.Entry<String, Integer> e : classes.entrySet()) {
      e.setValue(c++);
    }
    WeightedKnn knn = new WeightedKnn(Nd4j.create(matrix(b)), labels(b, classes), classes.size(), k, temperature);
    // a test class missing from the bank can never be predicted: it counts as wrong
    return knn.top1(Nd4j.create(matrix(q)), labels(q, classes));
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
