package sparkssl.spark.corpus;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Parquet tables as img2dataset and Hugging Face write them, written here by Spark's own Parquet writer. */
class ParquetCorpusTest {
  private static SparkSession spark;
  @TempDir
  static Path tmp;

  @BeforeAll
  static void start() {
    spark = SparkSession.builder().master("local[1]").appName("parquet-corpus")
        .config("spark.ui.enabled", "false").config("spark.driver.host", "127.0.0.1")
        .config("spark.driver.bindAddress", "127.0.0.1").getOrCreate();
  }

  @AfterAll
  static void stop() {
    spark.stop();
  }

  private static byte[] bytes(String s) {
    return s.getBytes(java.nio.charset.StandardCharsets.UTF_8);
  }

  private static String write(String name, StructType schema, List<Row> rows) {
    String out = tmp.resolve(name).toString();
    spark.createDataFrame(rows, schema).coalesce(1).write().parquet(out);
    return out;
  }

  private static CorpusLayout open(String root, String imageColumn, String label) throws Exception {
    return CorpusFormat.AUTO.open(spark, "--corpus", root, new CorpusFormat.Columns(imageColumn, label));
  }

  private static Map<String, String> contents(CorpusLayout c) {
    return c.images(spark).collectAsList().stream()
        .collect(Collectors.toMap(r -> r.getString(2), r -> new String((byte[]) r.get(1), java.nio.charset.StandardCharsets.UTF_8)));
  }

  @Test
  void img2datasetRowsWithoutBytesOrAFailedStatusAreLeftOutAndCounted() throws Exception {
    StructType schema = new StructType().add("key", DataTypes.StringType).add("jpg", DataTypes.BinaryType)
        .add("status", DataTypes.StringType).add("width", DataTypes.IntegerType).add("url", DataTypes.StringType)
        .add("label", DataTypes.IntegerType);
    String root = write("img2dataset", schema, List.of(
        RowFactory.create("000000001", bytes("one"), "success", 4, "http://a/1", 3),
        RowFactory.create("000000002", null, "failed_to_download", null, "http://a/2", 1),
        RowFactory.create("000000003", bytes("three"), "success", 4, "http://a/3", 7),
        RowFactory.create("000000004", bytes("four"), "failed_to_resize", 4, "http://a/4", 2)));

    CorpusLayout c = open(root, null, "label");
    assertEquals(CorpusFormat.PARQUET, c.format());
    assertEquals(Map.of("000000001", "one", "000000003", "three"), contents(c));
    CorpusLayout.Listing listing = c.list(spark);
    assertEquals(List.of("000000001", "000000003"), listing.keys());
    assertEquals(2, listing.leftOut().count());
    assertEquals(List.of("000000002", "000000004"), listing.leftOut().examples().stream().sorted().toList());
    assertEquals(Map.of("000000001", "3", "000000003", "7"), c.labeledImages(spark).collectAsList().stream()
        .collect(Collectors.toMap(r -> r.getString(2), r -> r.getString(3))));
    List<CorpusLayout.Sample> first = c.first(spark, 5);
    assertEquals(2, first.size());
  }

  @Test
  void huggingFaceStructsAreMatchedByFieldNameAndKeyedByPath() throws Exception {
    // older files put path before bytes: fields are matched by name
    StructType image = new StructType().add("path", DataTypes.StringType).add("bytes", DataTypes.BinaryType);
    StructType schema = new StructType().add("image", image).add("label", DataTypes.LongType);
    String root = write("hf", schema, List.of(
        RowFactory.create(RowFactory.create("a/x.png", bytes("x")), 0L),
        RowFactory.create(RowFactory.create("a/y.png", null), 1L),
        RowFactory.create(RowFactory.create(null, bytes("z")), 1L)));

    CorpusLayout c = open(root, null, "label");
    Map<String, String> read = contents(c);
    assertEquals(2, read.size());
    assertEquals("x", read.get("a/x.png"));
    String unnamed = read.keySet().stream().filter(k -> !k.equals("a/x.png")).findFirst().orElseThrow();
    assertTrue(unnamed.matches("part-.*\\.parquet#2"), "a row without a path is keyed by file and row: " + unnamed);
    assertEquals(1, c.list(spark).leftOut().count());
  }

  @Test
  void aTableWithoutKeyOrPathIsKeyedByFileAndRow() throws Exception {
    StructType schema = new StructType().add("png", DataTypes.BinaryType).add("caption", DataTypes.StringType);
    String root = write("plain", schema, List.of(RowFactory.create(bytes("p"), "c0"), RowFactory.create(bytes("q"), "c1")));
    List<String> keys = open(root, null, "label").list(spark).keys();
    assertEquals(2, keys.size());
    assertTrue(keys.get(0).endsWith(".parquet#0") && keys.get(1).endsWith(".parquet#1"), keys.toString());
  }

  @Test
  void aTableWithNoneOrSeveralImageColumnsIsRefusedWithItsColumns() throws Exception {
    StructType none = new StructType().add("key", DataTypes.StringType).add("caption", DataTypes.StringType);
    String noImage = write("none", none, List.of(RowFactory.create("k", "c")));
    CorpusUnreadable e = assertThrows(CorpusUnreadable.class, () -> open(noImage, null, "label"));
    assertTrue(e.getMessage().contains("has no image column") && e.getMessage().contains("key string, caption string")
        && e.getMessage().contains("--image-column") && e.getMessage().contains(noImage), e.getMessage());

    StructType two = new StructType().add("jpg", DataTypes.BinaryType).add("png", DataTypes.BinaryType);
    String several = write("two", two, List.of(RowFactory.create(bytes("j"), bytes("p"))));
    e = assertThrows(CorpusUnreadable.class, () -> open(several, null, "label"));
    assertTrue(e.getMessage().contains("several image columns"), e.getMessage());
    assertEquals("p", contents(open(several, "png", "label")).values().iterator().next(), "--image-column picks one");
    e = assertThrows(CorpusUnreadable.class, () -> open(several, "nope", "label"));
    assertTrue(e.getMessage().contains("--image-column nope is not a column"), e.getMessage());

    CorpusLayout unlabeled = open(several, "png", "label");
    e = assertThrows(CorpusUnreadable.class, () -> unlabeled.labeledImages(spark));
    assertTrue(e.getMessage().contains("no label column 'label'") && e.getMessage().contains("--label-column"), e.getMessage());
  }

  @Test
  void aFileThatIsNotParquetIsRefusedByName() throws Exception {
    Path dir = Files.createDirectories(tmp.resolve("broken"));
    Files.writeString(dir.resolve("part-0.parquet"), "not parquet at all");
    CorpusUnreadable e = assertThrows(CorpusUnreadable.class, () -> open(dir.toString(), null, "label"));
    assertTrue(e.getMessage().contains("is not a readable Parquet table") && e.getMessage().contains(dir.toString()), e.getMessage());
  }

  @Test
  void theSameBytesComeBackAsTheyWereWritten() throws Exception {
    byte[] all = new byte[256];
    for (int i = 0; i < all.length; i++) {
      all[i] = (byte) i;
    }
    StructType schema = new StructType().add("key", DataTypes.StringType).add("image", DataTypes.BinaryType);
    String root = write("exact", schema, List.<Row>of(RowFactory.create("k", all)));
    assertArrayEquals(all, open(root, null, "label").first(spark, 1).get(0).bytes());
  }
}
