package sparkssl.spark.eval;

import java.util.Set;
import java.util.stream.Collectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import sparkssl.spark.ml.EncoderInput;
import sparkssl.spark.ml.TrainedEncoder;

/**
 * Train's evaluation: the chosen protocols at one k-NN setting on one labeled bank and query set,
 * for an encoder or for the raw pixels it is fed. An encoder's images are embedded once for all
 * protocols.
 */
public final class Evaluation {
  private final Dataset<Row> bank;
  private final Dataset<Row> queries;
  private final Set<Protocol> protocols;
  private final int k;
  private final double temperature;
  private final LinearProbe probe;

  /** Both sets as {@code (path, content, label)} rows. */
  public Evaluation(Dataset<Row> bank, Dataset<Row> queries, Set<Protocol> protocols, int k, double temperature) {
    this.bank = bank;
    this.queries = queries;
    this.protocols = Set.copyOf(protocols);
    this.k = k;
    this.temperature = temperature;
    this.probe = new LinearProbe(bank.sparkSession());
  }

  /** The protocols as the progress line and the Spark UI name this evaluation: {@code k-NN}, {@code k-NN + linear-probe}. */
  public String name() {
    return protocols.stream().sorted().map(p -> p == Protocol.KNN ? "k-NN" : "linear-probe").collect(Collectors.joining(" + "));
  }

  public Scores encoder(TrainedEncoder encoder) {
    LabeledFeatures embedded = LabeledFeatures.embedded(encoder, bank, queries);
    return score(embedded, embedded);
  }

  /** The same protocols on the encoder's input: the score an encoder has to beat to have learned anything. */
  public Scores pixels(EncoderInput input) {
    LabeledFeatures pixels = LabeledFeatures.pixels(input, bank, queries);
    return score(pixels.centred(), pixels);
  }

  private Scores score(LabeledFeatures forKnn, LabeledFeatures forProbe) {
    return new Scores(protocols.contains(Protocol.KNN) ? KnnEvaluation.top1(forKnn, k, temperature) : null,
        protocols.contains(Protocol.LINEAR) ? probe.fit(forProbe) : null);
  }
}
