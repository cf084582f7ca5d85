package sparkssl.spark.corpus;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.not;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.spark.sql.AnalysisException;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * A Parquet table (a folder or glob of {@code .parquet} files) with one image column: a binary column
 * named for its encoding, as img2dataset writes it ({@code jpg}, {@code png}, {@code webp}; also
 * {@code jpeg}, {@code image}, {@code img}), or a struct with {@code bytes} and {@code path} fields, as
 * Hugging Face datasets store an image. Rows without bytes, or whose {@code status} is not {@code
 * success} (img2dataset's failed downloads), are left out and counted. An image's key is the table's
 * {@code key} column, else the struct's {@code path}, else its file name and row number ({@code
 * part-00000.parquet#17}).
 */
final class ParquetCorpus implements CorpusLayout {
  private static final Set<String> IMAGE_NAMES = Set.of("jpg", "jpeg", "png", "webp", "image", "img");
  private static final int EXAMPLES = 5;

  private final String root;
  private final String option;
  private final StructType schema;
  private final Column content;
  private final Column key;
  private final Column kept;
  private final String labelColumn;

  private ParquetCorpus(String root, String option, StructType schema, Column content, Column key, Column kept,
      String labelColumn) {
    this.root = root;
    this.option = option;
    this.schema = schema;
    this.content = content;
    this.key = key;
    this.kept = kept;
    this.labelColumn = labelColumn;
  }

  static ParquetCorpus open(SparkSession spark, String option, String root, CorpusFormat.Columns columns) {
    StructType schema;
    try {
      schema = spark.read().parquet(root).schema();
    } catch (Exception e) {
      // Spark throws these unchecked: AnalysisException for no Parquet files, SparkException for a bad footer
      String why = e instanceof AnalysisException a ? a.getSimpleMessage() : String.valueOf(e.getMessage()).lines().findFirst().orElse("");
      throw new CorpusUnreadable(option + " " + root + " is not a readable Parquet table: " + why);
    }
    StructField image = imageField(option, root, schema, columns.image());
    boolean struct = image.dataType() instanceof StructType;
    Column content = struct ? col(image.name()).getField("bytes") : col(image.name());
    Column rowName = concat(col("_metadata.file_name"), lit("#"), col("_metadata.row_index").cast(DataTypes.StringType));
    Column key = has(schema, "key") ? coalesce(col("key").cast(DataTypes.StringType), rowName)
        : struct && hasPath((StructType) image.dataType()) ? coalesce(col(image.name()).getField("path"), rowName)
        : rowName;
    Column kept = content.isNotNull();
    if (has(schema, "status")) {
      kept = kept.and(coalesce(col("status").cast(DataTypes.StringType).equalTo("success"), lit(false)));
    }
    return new ParquetCorpus(root, option, schema, content, key, kept, columns.label());
  }

  /** The chosen column, or the only image-like one; anything else is refused with the table's columns. */
  private static StructField imageField(String option, String root, StructType schema, String chosen) {
    List<StructField> candidates = Arrays.stream(schema.fields())
        .filter(f -> chosen != null ? f.name().equals(chosen) : isImageColumn(f))
        .toList();
    String columns = " (columns: " + Arrays.stream(schema.fields()).map(f -> f.name() + " " + f.dataType().simpleString())
        .collect(Collectors.joining(", ")) + ")";
    if (chosen != null && (candidates.isEmpty() || !holdsBytes(candidates.get(0)))) {
      throw new CorpusUnreadable(option + " " + root + ": --image-column " + chosen
          + (candidates.isEmpty() ? " is not a column" : " is neither binary nor a struct with a binary 'bytes' field") + columns);
    }
    if (candidates.size() != 1) {
      throw new CorpusUnreadable(option + " " + root + (candidates.isEmpty() ? " has no image column" : " has several image columns")
          + columns + ": name one with --image-column (a binary column, or a struct with a binary 'bytes' field)");
    }
    return candidates.get(0);
  }

  private static boolean isImageColumn(StructField f) {
    return f.dataType() instanceof StructType
        ? holdsBytes(f)
        : f.dataType().equals(DataTypes.BinaryType) && IMAGE_NAMES.contains(f.name().toLowerCase(Locale.ROOT));
  }

  /** Binary, or a struct whose field {@code bytes} is (matched by name: older files put {@code path} first). */
  private static boolean holdsBytes(StructField f) {
    if (f.dataType() instanceof StructType s) {
      return Arrays.stream(s.fields()).anyMatch(x -> x.name().equals("bytes") && x.dataType().equals(DataTypes.BinaryType));
    }
    return f.dataType().equals(DataTypes.BinaryType);
  }

  private static boolean hasPath(StructType s) {
    return Arrays.stream(s.fields()).anyMatch(x -> x.name().equals("path"));
  }

  private static boolean has(StructType s, String name) {
    return Arrays.asList(s.fieldNames()).contains(name);
  }

  @Override
  public CorpusFormat format() {
    return CorpusFormat.PARQUET;
  }

  @Override
  public String root() {
    return root;
  }

  private Dataset<Row> table(SparkSession spark) {
    return spark.read().parquet(root);
  }

  @Override
  public Dataset<Row> images(SparkSession spark) {
    return table(spark).where(kept).select(key.as(PATH), content.as(CONTENT), key.as(KEY));
  }

  @Override
  public Dataset<Row> labeledImages(SparkSession spark) {
    if (!has(schema, labelColumn)) {
      throw new CorpusUnreadable(option + " " + root + " has no label column '" + labelColumn + "' (columns: "
          + String.join(", ", schema.fieldNames()) + "): name it with --label-column");
    }
    return table(spark).where(kept.and(col(labelColumn).isNotNull()))
        .select(key.as(PATH), content.as(CONTENT), key.as(KEY), col(labelColumn).cast(DataTypes.StringType).as(LABEL));
  }

  @Override
  public Listing list(SparkSession spark) {
    return Listing.of(table(spark).where(kept).select(key).as(Encoders.STRING()).collectAsList(), leftOut(spark));
  }

  @Override
  public LeftOut leftOut(SparkSession spark) {
    Dataset<Row> out = table(spark).where(not(kept));
    long count = out.count();
    List<String> examples = count == 0 ? List.of() : out.select(key).limit(EXAMPLES).as(Encoders.STRING()).collectAsList();
    return new LeftOut(count, "LEFT OUT: no image bytes, or a failed status", examples);
  }

  @Override
  public List<Sample> first(SparkSession spark, int n) {
    return images(spark).limit(n).collectAsList().stream().map(r -> new Sample(r.getString(0), (byte[]) r.get(1))).toList();
  }
}
