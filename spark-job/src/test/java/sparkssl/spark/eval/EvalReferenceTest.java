package sparkssl.spark.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import sparkssl.spark.corpus.FolderCorpus;
import sparkssl.spark.ml.LocalSpark;
import sparkssl.spark.ml.TrainedEncoder;

/**
 * The job's evaluation numerics against independent NumPy references on the bundled sample
 * ({@code eval-reference/reference.py}, which says how its fixtures were made): the linear probe on
 * the embeddings of a trained encoder, and the raw-pixel k-NN baseline.
 */
class EvalReferenceTest {
  private static final Path FIXTURES = Paths.get("src", "test", "resources", "eval-reference");
  private static final Path SAMPLE = Paths.get("..", "data", "sample", "fashion-mnist").toAbsolutePath().normalize();
  /** Where the embeddings probed here are left for reference.py. */
  private static final Path EXPORT = Paths.get("target", "eval-reference");

  private static SparkSession spark;
  private static TrainedEncoder encoder;
  private static Dataset<Row> bank;
  private static Dataset<Row> queries;

  @BeforeAll
  static void start() throws IOException {
    spark = LocalSpark.start("eval-reference");
    encoder = TrainedEncoder.read(FIXTURES.resolve("model.zip").toAbsolutePath().toUri().toString(), new Configuration());
    bank = new FolderCorpus(spark, SAMPLE.resolve("train").toUri().toString()).labeledImages(spark);
    queries = new FolderCorpus(spark, SAMPLE.resolve("test").toUri().toString()).labeledImages(spark);
  }

  @Test
  void linearProbeTop1IsWithinOnePointOfTheNumPyReference() throws IOException {
    LabeledFeatures embedded = LabeledFeatures.embedded(encoder, bank, queries);
    export(embedded.bank(), "train");
    export(embedded.queries(), "test");
    JsonNode reference = fixture("linear-probe.json");
    assertEquals(reference.get("train_images").asInt(), embedded.bank().size());
    assertEquals(reference.get("embedding_dimension").asInt(), embedded.bank().dimension());

    LinearProbe.Result probe = new LinearProbe(spark).fit(embedded);
    String both = "job " + probe + "\nreference " + reference;
    assertEquals(reference.get("queries").asInt(), probe.queries(), both);
    assertEquals(reference.get("top1").asDouble(), probe.top1(), 0.01, both);
    for (int i = 0; i < LinearProbe.REG_PARAMS.size(); i++) {
      double reg = LinearProbe.REG_PARAMS.get(i);
      assertEquals(reference.get("reg_params").get(i).asDouble(), reg, 0.0, "the same grid");
      // 200 held-out images: one is half a point, so a split other than the reference's would show here
      assertEquals(reference.get("held_out_top1").get(i).asDouble(), probe.heldOutTop1().get(reg), 0.011,
          "held-out top-1 at reg_param " + reg + ": " + both);
    }
  }

  @Test
  void pixelKnnTop1IsWithinATenthOfAPointOfTheNumPyReference() throws IOException {
    JsonNode reference = fixture("pixel-knn.json");
    LabeledFeatures pixels = LabeledFeatures.pixels(encoder.input(), bank, queries);
    assertEquals(reference.get("dimension").asInt(), pixels.bank().dimension());
    double top1 = KnnEvaluation.top1(pixels.centred(), reference.get("k").asInt(), reference.get("temperature").asDouble());
    assertEquals(reference.get("top1").asDouble(), top1, 0.001, "job " + top1 + ", reference " + reference);
  }

  private static JsonNode fixture(String name) throws IOException {
    return new ObjectMapper().readTree(FIXTURES.resolve(name).toFile());
  }

  /** One side as NumPy reads it: {@code embeddings-SIDE.npy} (float32, rows in order) and {@code images-SIDE.txt}. */
  private static void export(LabeledFeatures.Side side, String name) throws IOException {
    Files.createDirectories(EXPORT);
    String header = "{'descr': '<f4', 'fortran_order': False, 'shape': (" + side.size() + ", " + side.dimension() + "), }";
    // the format's header, magic and length included, is padded with spaces to a multiple of 64 bytes, ending in \n
    int padded = (10 + header.length() + 1 + 63) / 64 * 64;
    header = header + " ".repeat(padded - 10 - header.length() - 1) + "\n";
    ByteBuffer data = ByteBuffer.allocate(4 * side.size() * side.dimension()).order(ByteOrder.LITTLE_ENDIAN);
    for (float[] row : side.x()) {
      for (float v : row) {
        data.putFloat(v);
      }
    }
    try (OutputStream file = Files.newOutputStream(EXPORT.resolve("embeddings-" + name + ".npy"));
        DataOutputStream out = new DataOutputStream(file)) {
      out.write(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0});
      out.write(ByteBuffer.allocate(2).order(ByteOrder.LITTLE_ENDIAN).putShort((short) header.length()).array());
      out.write(header.getBytes(StandardCharsets.US_ASCII));
      out.write(data.array());
    }
    Files.writeString(EXPORT.resolve("images-" + name + ".txt"), String.join("\n", side.images()) + "\n");
  }
}
