package sparkssl.augment;

import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.api.java.UDF1;
import org.apache.spark.sql.api.java.UDF3;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * Spark SQL registration of the view pipeline.
 *
 * <ul>
 *   <li>{@code ssl_views(content BINARY, path STRING, epoch INT) -> STRUCT<views: BINARY,
 *       local_views: BINARY, error: STRING>}: the global views as uint8 CHW bytes one after another,
 *       the multi-crop local views likewise (null without local crops), or null views and an
 *       {@code error} such as {@code "CORRUPT: ..."} when the file is not a usable image. It never
 *       throws, so one bad file cannot fail a task.</li>
 *   <li>{@code ssl_decode_error(content BINARY) -> STRING}: null for a decodable image, else why not.</li>
 * </ul>
 */
public final class SslViewsUdf {
  public static final String VIEWS = "ssl_views";
  public static final String DECODE_ERROR = "ssl_decode_error";

  public static final StructType RESULT = new StructType()
      .add("views", DataTypes.BinaryType, true)
      .add("local_views", DataTypes.BinaryType, true)
      .add("error", DataTypes.StringType, true);

  private SslViewsUdf() {}

  public static void register(SparkSession spark, ViewOptions options) {
    ViewPipeline pipeline = new ViewPipeline(options);
    ImageDecoder decoder = new ImageDecoder(options.channels, options.maxPixels);
    spark.udf().register(VIEWS, (UDF3<byte[], String, Integer, Row>) (content, path, epoch) -> {
      try {
        ViewPipeline.Views v = pipeline.render(content, path, epoch, true);
        return RowFactory.create(v.global(), v.local(), null);
      } catch (ImageDecodeException e) {
        return RowFactory.create(null, null, e.kind() + ": " + e.getMessage());
      }
    }, RESULT);
    spark.udf().register(DECODE_ERROR, (UDF1<byte[], String>) content -> {
      try {
        decoder.decode(content);
        return null;
      } catch (ImageDecodeException e) {
        return e.kind() + ": " + e.getMessage();
      }
    }, DataTypes.StringType);
  }
}
