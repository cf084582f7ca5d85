package sparkssl.augment;

import static org.apache.spark.sql.functions.call_udf;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The UDFs on a real local Spark: from SQL, from the DataFrame API, and independent of partitioning. */
class SslViewsUdfTest {
  private static SparkSession spark;

  @BeforeAll
  static void start() {
    spark = SparkSession.builder().master("local[2]").appName("udf-test")
        .config("spark.ui.enabled", "false").config("spark.driver.host", "127.0.0.1")
        .config("spark.driver.bindAddress", "127.0.0.1").getOrCreate();
    // every transform in play: colour, BYOL's per-view blur and solarize, multi-crop
    ViewOptions o = ViewPresets.get("byol").set("local_crops", "2").set("local_size", "12");
    o.channels = 3;
    SslViewsUdf.register(spark, o);
  }

  @AfterAll
  static void stop() {
    spark.stop();
  }

  private static Dataset<Row> images(int partitions) throws Exception {
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      rows.add(RowFactory.create("file:/img/" + i + ".png", ViewPipelineTest.png(30 + i, 28, BufferedImage.TYPE_INT_RGB)));
    }
    rows.add(RowFactory.create("file:/img/bad.png", "garbage".getBytes()));
    StructType schema = new StructType().add("path", DataTypes.StringType).add("content", DataTypes.BinaryType);
    return spark.createDataFrame(rows, schema).repartition(partitions);
  }

  private static Map<String, Row> views(Dataset<Row> df) {
    Map<String, Row> out = new HashMap<>();
    for (Row r : df.select(col("path"), call_udf(SslViewsUdf.VIEWS, col("content"), col("path"), lit(1)).as("v"))
        .collectAsList()) {
      out.put(r.getString(0), r.getStruct(1));
    }
    return out;
  }

  @Test
  void viewsDoNotDependOnPartitioningAndBadFilesBecomeErrors() throws Exception {
    Map<String, Row> one = views(images(1));
    Map<String, Row> five = views(images(5));
    assertEquals(13, one.size());
    assertEquals(one.keySet(), five.keySet());
    for (String path : one.keySet()) {
      Row a = one.get(path);
      Row b = five.get(path);
      if (path.endsWith("bad.png")) {
        for (Row r : List.of(a, b)) {
          assertNull(r.getAs("views"), path);
          assertNull(r.getAs("local_views"), path);
          assertTrue(r.<String>getAs("error").startsWith("NOT_AN_IMAGE: "), r.<String>getAs("error"));
        }
      } else {
        // present and of the right size before equal: two nulls would compare equal
        for (Row r : List.of(a, b)) {
          assertNull(r.getAs("error"), path);
          assertNotNull(r.getAs("views"), path + " global views");
          assertNotNull(r.getAs("local_views"), path + " local views");
          assertEquals(2 * 3 * 28 * 28, r.<byte[]>getAs("views").length, path + " global views");
          assertEquals(2 * 3 * 12 * 12, r.<byte[]>getAs("local_views").length, path + " local views");
        }
        assertArrayEquals(a.<byte[]>getAs("views"), b.<byte[]>getAs("views"), path);
        assertArrayEquals(a.<byte[]>getAs("local_views"), b.<byte[]>getAs("local_views"), path);
      }
    }
  }

  @Test
  void usableFromSql() throws Exception {
    images(2).createOrReplaceTempView("imgs");
    long bad = spark.sql("SELECT path FROM imgs WHERE ssl_decode_error(content) IS NOT NULL").count();
    assertEquals(1, bad);
    Row r = spark.sql("SELECT ssl_views(content, path, 7).views AS v FROM imgs WHERE path = 'file:/img/3.png'").first();
    assertEquals(2 * 3 * 28 * 28, ((byte[]) r.get(0)).length);
  }
}
