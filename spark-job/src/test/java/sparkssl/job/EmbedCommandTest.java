package sparkssl.job;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import sparkssl.spark.corpus.FolderCorpus;
import sparkssl.spark.ml.EncoderModel;
import sparkssl.spark.ml.LocalSpark;

/** {@code embed} with the model of a short train run, on real images with broken files among them. */
class EmbedCommandTest {
  @TempDir
  Path tmp;

  private Path corpus() throws Exception {
    Path corpus = tmp.resolve("corpus");
    LocalModeJobTest.copySlice(LocalTrainRun.SAMPLE.resolve("test"), corpus, 3);
    Path good;
    try (Stream<Path> s = Files.walk(corpus)) {
      good = s.filter(p -> p.toString().endsWith(".png")).sorted().findFirst().orElseThrow();
    }
    byte[] png = Files.readAllBytes(good);
    Files.write(corpus.resolve("truncated.png"), Arrays.copyOf(png, png.length / 3));
    Files.write(corpus.resolve("empty.jpg"), new byte[0]);
    Files.writeString(corpus.resolve("notes.png"), "not an image");
    return corpus;
  }

  private static CommandRun embed(String... args) {
    List<String> all = new java.util.ArrayList<>(List.of("embed"));
    all.addAll(List.of(args));
    all.addAll(List.of("--master", "local[2]", "--conf", "spark.ui.enabled=false"));
    return CommandRun.of(all.toArray(String[]::new));
  }

  @Test
  void writesOneRowPerDecodableImageWithTheTransformersVectors() throws Exception {
    TrainedRun run = TrainedRun.get();
    Path corpus = corpus();
    Path out = tmp.resolve("embeddings");
    CommandRun r = embed("--model", run.model().toString(), "--corpus", corpus.toUri().toString(), "--out", out.toString(),
        "--partitions", "2");
    assertEquals(0, r.code(), r.err());
    assertTrue(r.out().contains("embedded 30 images of"), r.out());
    assertTrue(r.out().contains("skipped 3 files that are not decodable images, e.g. "), r.out());
    assertTrue(r.out().contains("empty.jpg (EMPTY: zero bytes)") && r.out().contains("truncated.png (CORRUPT")
        && r.out().contains("notes.png (NOT_AN_IMAGE"), r.out());
    try (Stream<Path> files = Files.list(tmp)) {
      assertEquals(List.of("corpus", "embeddings"), files.map(p -> p.getFileName().toString()).sorted().collect(Collectors.toList()),
          "nothing beside the output");
    }
    try (Stream<Path> parts = Files.list(out)) {
      assertEquals(2, parts.filter(p -> p.getFileName().toString().endsWith(".parquet")).count());
    }

    SparkSession spark = LocalSpark.start("embed-read-back");
    try {
      Dataset<Row> table = spark.read().parquet(out.toString());
      assertEquals(List.of("path", "embedding"), List.of(table.schema().fieldNames()));
      assertEquals(DataTypes.createArrayType(DataTypes.FloatType, true), table.schema().apply("embedding").dataType());
      Map<String, float[]> written = new HashMap<>();
      for (Row row : table.collectAsList()) {
        List<Float> v = row.getList(1);
        float[] f = new float[v.size()];
        for (int i = 0; i < f.length; i++) {
          f[i] = v.get(i);
        }
        written.put(row.getString(0), f);
      }
      assertEquals(30, table.count(), "one row per decodable image");

      Map<String, float[]> expected = new HashMap<>();
      EncoderModel transformer = EncoderModel.fromModelFile(spark, run.model().toString()).setHandleInvalid("skip");
      for (Row row : transformer.transform(new FolderCorpus(spark, corpus.toUri().toString()).images(spark)).select("path", "embedding").collectAsList()) {
        expected.put(row.getString(0), EncoderModel.toFloats((Vector) row.get(1)));
      }
      assertEquals(expected.keySet(), written.keySet());
      for (Map.Entry<String, float[]> e : expected.entrySet()) {
        assertArrayEquals(e.getValue(), written.get(e.getKey()), "the transformer's vector, bit for bit: " + e.getKey());
      }
    } finally {
      spark.stop();
    }
  }

  @Test
  void refusesAnExistingOutputUnlessOverwriteAndThenReplacesItWhole() throws Exception {
    TrainedRun run = TrainedRun.get();
    Path corpus = corpus();
    Path out = Files.createDirectories(tmp.resolve("embeddings"));
    Files.writeString(out.resolve("earlier.txt"), "an earlier table");

    CommandRun refused = embed("--model", run.model().toString(), "--corpus", corpus.toString(), "--out", out.toString());
    assertEquals(2, refused.code(), refused.err());
    assertTrue(refused.err().contains("--out: " + out + " exists; add --overwrite to replace it"), refused.err());
    assertEquals("an earlier table", Files.readString(out.resolve("earlier.txt")));

    CommandRun replaced = embed("--model", run.model().toString(), "--corpus", corpus.toString(), "--out", out.toString(),
        "--overwrite", "--partitions", "1");
    assertEquals(0, replaced.code(), replaced.err());
    assertFalse(Files.exists(out.resolve("earlier.txt")));
    assertTrue(Files.exists(out.resolve("_SUCCESS")));
  }

  @Test
  void aCorpusWithoutADecodableImageFailsAndWritesNothing() throws Exception {
    TrainedRun run = TrainedRun.get();
    Path corpus = Files.createDirectories(tmp.resolve("broken"));
    Files.writeString(corpus.resolve("notes.png"), "not an image");
    Files.write(corpus.resolve("empty.jpg"), new byte[0]);
    CommandRun r = embed("--model", run.model().toString(), "--corpus", corpus.toString(), "--out", tmp.resolve("embeddings").toString());
    assertEquals(1, r.code(), r.err());
    assertTrue(r.err().contains("no decodable PNG/JPEG images: 2 files skipped, e.g. [") && r.err().contains("notes.png (NOT_AN_IMAGE")
        && r.err().contains("empty.jpg (EMPTY: zero bytes)"), r.err());
    try (Stream<Path> files = Files.list(tmp)) {
      assertEquals(List.of("broken"), files.map(p -> p.getFileName().toString()).collect(Collectors.toList()),
          "neither the table nor its staging folder");
    }
  }

  @Test
  void refusesAFileThatIsNotAModelBeforeAnySparkJobAndWritesNothing() throws Exception {
    Path corpus = corpus();
    Path notAModel = corpus.resolve("truncated.png");
    Path out = tmp.resolve("embeddings");
    SparkSession spark = LocalSpark.start("embed-not-a-model");
    LocalSpark.JobCounter jobs = LocalSpark.JobCounter.on(spark);
    CommandRun r = CommandRun.of("embed", "--model", notAModel.toString(), "--corpus", corpus.toString(), "--out", out.toString(),
        "--master", "local[2]");
    assertEquals(2, r.code(), r.err());
    assertTrue(r.err().contains("--model: " + notAModel + " is not a spark-ssl model: not a zip file"), r.err());
    assertEquals(0, jobs.started());
    assertFalse(Files.exists(out));
  }
}
