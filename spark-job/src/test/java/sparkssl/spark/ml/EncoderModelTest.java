package sparkssl.spark.ml;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.attribute.AttributeGroup;
import org.apache.spark.ml.feature.Normalizer;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.factory.Nd4j;
import sparkssl.augment.ViewPipeline;
import sparkssl.model.SslNetwork;

/** The transformer in Spark local mode on real PNGs of the bundled sample, one of them truncated. */
class EncoderModelTest {
  private static SparkSession spark;
  private static ComputationGraph net;
  private static EncoderInput input;
  private static Path modelFile;
  private static Path corpus;
  private static List<Path> goodImages;

  @TempDir
  static Path tmp;

  @BeforeAll
  static void setUp() throws Exception {
    net = TestModels.network(7);
    input = TestModels.simclrInput();
    modelFile = TestModels.modelFile(tmp, net, input);
    corpus = tmp.resolve("corpus");
    goodImages = TestModels.copySample("test", corpus, 3);
    byte[] png = Files.readAllBytes(goodImages.get(0));
    Files.write(corpus.resolve("truncated.png"), Arrays.copyOf(png, png.length / 3));
    spark = LocalSpark.start("encoder-model-test");
  }

  @AfterAll
  static void tearDown() {
    spark.stop();
  }

  private static Dataset<Row> images() {
    return spark.read().format("binaryFile").option("recursiveFileLookup", "true").load(corpus.toString());
  }

  /** The {@code columns} of each row by its path. */
  private static Map<String, List<Object>> byPath(Dataset<Row> rows, String... columns) {
    Map<String, List<Object>> out = new HashMap<>();
    for (Row r : rows.select("path", columns).collectAsList()) {
      List<Object> values = new ArrayList<>();
      for (int i = 1; i < r.length(); i++) {
        values.add(r.get(i));
      }
      out.put(r.getString(0), values);
    }
    return out;
  }

  @Test
  void embedsEveryImageAsTheNetworkDoesAndKeepsUndecodableRowsWithoutAnEmbedding() throws Exception {
    EncoderModel model = EncoderModel.fromModelFile(spark, modelFile.toString());
    Dataset<Row> out = model.transform(images());
    StructType schema = out.schema();
    assertEquals("embedding", schema.fieldNames()[schema.length() - 1]);
    assertEquals(128, AttributeGroup.fromStructField(schema.apply("embedding")).size(), "the vector's size is in the column's metadata");
    Map<String, List<Object>> embedded = byPath(out, "embedding");
    assertEquals(goodImages.size() + 1, embedded.size(), "one row per input row");
    assertNull(embedded.get(sparkPath(corpus.resolve("truncated.png"))).get(0), "an undecodable image keeps its row, without an embedding");

    ViewPipeline pipeline = input.pipeline();
    for (Path image : goodImages.subList(0, 3)) {
      byte[] pixels = pipeline.plain(Files.readAllBytes(image));
      float[] f = new float[pixels.length];
      pipeline.normalize().toFloats(pixels, 0, f, 0, 1, 1, 28 * 28);
      float[] direct = SslNetwork.embed(net, Nd4j.create(f, new long[] {1, 1, 28, 28}, 'c')).toFloatVector();
      Vector v = (Vector) embedded.get(sparkPath(image)).get(0);
      assertNotNull(v, image.toString());
      // not bit for bit: one image against a batch of many may take another of oneDNN's kernels
      assertArrayEquals(direct, EncoderModel.toFloats(v), 1e-5f, "the executor embeds " + image + " as the network does on the driver");
    }
  }

  @Test
  void skipDropsUndecodableRowsAndErrorFailsNamingTheFile() throws Exception {
    EncoderModel model = EncoderModel.fromModelFile(spark, modelFile.toString());
    Dataset<Row> skipped = model.copy(new ParamMap()).setHandleInvalid("skip").transform(images());
    assertEquals(goodImages.size(), skipped.count());
    assertEquals(0, skipped.where("embedding is null").count());

    Exception e = assertThrows(Exception.class, () -> model.copy(new ParamMap()).setHandleInvalid("error").transform(images()).count());
    assertTrue(rootMessage(e).contains("undecodable image " + sparkPath(corpus.resolve("truncated.png"))), rootMessage(e));
    assertThrows(IllegalArgumentException.class, () -> model.setHandleInvalid("ignore"));
  }

  @Test
  void parsesTheModelOncePerJvmHoweverManyTasksUseIt() throws Exception {
    EncoderModel model = new EncoderModel(TrainedEncoder.of(TestModels.network(11), input)).setOutputCol("embedding.v1");
    long before = EncoderCache.loads();
    Dataset<Row> manyTasks = images().repartition(6);
    Dataset<Row> embedded = model.transform(manyTasks);
    assertEquals("embedding.v1", embedded.schema().fieldNames()[embedded.schema().length() - 1], "a name with a dot is one column");
    assertEquals(goodImages.size() + 1, embedded.count());
    assertEquals(goodImages.size() + 1, model.transform(manyTasks).count());
    assertEquals(1, EncoderCache.loads() - before, "12 tasks on 2 cores, one model file parsed");
  }

  @Test
  void savedInsideAPipelineAndLoadedGivesTheSameVectors() throws Exception {
    EncoderModel encoder = EncoderModel.fromModelFile(spark, modelFile.toString()).setOutputCol("features").setHandleInvalid("skip");
    Normalizer unit = new Normalizer().setInputCol("features").setOutputCol("unit");
    PipelineModel fitted = new Pipeline().setStages(new PipelineStage[] {encoder, unit}).fit(images());
    Map<String, List<Object>> before = byPath(fitted.transform(images()), "features", "unit");

    Path saved = tmp.resolve("pipeline");
    fitted.write().save(saved.toString());
    assertTrue(Files.exists(saved.resolve("stages").resolve("0_" + encoder.uid()).resolve(EncoderModel.MODEL_ENTRY)));
    PipelineModel loaded = PipelineModel.load(saved.toString());
    EncoderModel loadedEncoder = (EncoderModel) loaded.stages()[0];
    assertEquals(encoder.uid(), loadedEncoder.uid());
    assertEquals("features", loadedEncoder.getOutputCol());
    assertEquals("skip", loadedEncoder.getHandleInvalid());
    assertEquals(encoder.encoder().id(), loadedEncoder.encoder().id());

    Map<String, List<Object>> after = byPath(loaded.transform(images()), "features", "unit");
    assertEquals(goodImages.size(), after.size());
    assertEquals(before, after, "the same vectors, bit for bit, and the same normalised ones");
  }

  @Test
  void checksTheSchemaBeforeAnySparkJobNamingTheColumn() throws Exception {
    EncoderModel model = EncoderModel.fromModelFile(spark, modelFile.toString());
    LocalSpark.JobCounter jobs = LocalSpark.JobCounter.on(spark);
    Dataset<Row> noContent = images().drop("content");
    IllegalArgumentException missing = assertThrows(IllegalArgumentException.class, () -> model.transform(noContent));
    assertTrue(missing.getMessage().contains("input column 'content' does not exist"), missing.getMessage());

    Dataset<Row> text = images().withColumn("content", org.apache.spark.sql.functions.col("path"));
    IllegalArgumentException type = assertThrows(IllegalArgumentException.class, () -> model.transform(text));
    assertTrue(type.getMessage().contains("input column 'content' has type string; it must be binary"), type.getMessage());

    Dataset<Row> taken = images().withColumnRenamed("length", "embedding");
    IllegalArgumentException output = assertThrows(IllegalArgumentException.class, () -> model.transform(taken));
    assertTrue(output.getMessage().contains("output column 'embedding' already exists"), output.getMessage());

    EncoderModel renamed = model.copy(new ParamMap()).setInputCol("bytes");
    IllegalArgumentException inPipeline = assertThrows(IllegalArgumentException.class,
        () -> new Pipeline().setStages(new PipelineStage[] {renamed}).fit(images()));
    assertTrue(inPipeline.getMessage().contains("input column 'bytes' does not exist"), inPipeline.getMessage());
    assertEquals(0, jobs.started(), "no Spark job ran");
    assertEquals(DataTypes.StringType, text.schema().apply("content").dataType());
  }

  private static String rootMessage(Throwable e) {
    StringBuilder all = new StringBuilder();
    for (Throwable t = e; t != null; t = t.getCause()) {
      all.append(t.getMessage()).append('\n');
    }
    return all.toString();
  }

  /** A local file's path as Spark's binaryFile source writes it. */
  static String sparkPath(Path file) {
    return new org.apache.hadoop.fs.Path(file.toUri()).toString();
  }
}
