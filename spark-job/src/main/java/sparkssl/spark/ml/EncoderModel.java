package sparkssl.spark.ml;

import static org.apache.spark.sql.functions.col;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.List;
import org.apache.hadoop.fs.Path;
import org.apache.spark.SparkContext;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.ml.Model;
import org.apache.spark.ml.attribute.AttributeGroup;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.param.ParamValidators;
import org.apache.spark.ml.util.DefaultParamsReader;
import org.apache.spark.ml.util.DefaultParamsWriter;
import org.apache.spark.ml.util.Identifiable;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.ml.util.MLWritable;
import org.apache.spark.ml.util.MLWriter;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import scala.Option;

/**
 * A trained encoder as a Spark ML transformer: adds the embedding of each row's image bytes (PNG or
 * JPEG, e.g. the {@code content} column of Spark's {@code binaryFile} source) as a dense
 * {@code org.apache.spark.ml.linalg.Vector} column, the type Spark ML's own stages take as features.
 * The image is fed to the encoder as training's k-NN evaluation feeds it ({@link EncoderInput}).
 *
 * <pre>{@code
 * EncoderModel encoder = EncoderModel.fromModelFile(spark, "s3a://bucket/runs/r1/model.zip");
 * Dataset<Row> embedded = encoder.transform(spark.read().format("binaryFile").load("s3a://bucket/images/"));
 * }</pre>
 *
 * <p>The schema is checked before any Spark job runs. The model travels to the executors once as a
 * broadcast and is parsed once per executor JVM. Undecodable images follow {@link #handleInvalid()}:
 * {@code keep} (default) gives a null embedding, {@code skip} drops the row, {@code error} fails the job.
 * Saved with {@link #write()} as Spark ML's metadata plus {@value #MODEL_ENTRY} (the model file), so it
 * saves and loads inside a {@code PipelineModel}.
 */
public final class EncoderModel extends Model<EncoderModel> implements MLWritable {
  private static final long serialVersionUID = 1L;
  /** The model file inside a saved EncoderModel's folder. */
  static final String MODEL_ENTRY = "encoder.zip";

  private final String uid;
  private final TrainedEncoder encoder;
  private final Param<String> inputCol;
  private final Param<String> outputCol;
  private final Param<String> handleInvalid;
  private transient Broadcast<byte[]> broadcast;
  private transient SparkContext broadcastContext;

  /** A transformer for {@code encoder} with a fresh uid. */
  public EncoderModel(TrainedEncoder encoder) {
    this(Identifiable.randomUID("encoder"), encoder);
  }

  private EncoderModel(String uid, TrainedEncoder encoder) {
    this.uid = uid;
    this.encoder = encoder;
    inputCol = new Param<>(this, "inputCol", "column of encoded image bytes (PNG, JPEG), binary");
    outputCol = new Param<>(this, "outputCol", "embedding column to add, a dense vector");
    handleInvalid = new Param<>(this, "handleInvalid",
        "what an undecodable image gives: keep (a null embedding), skip (no row), error (the job fails)",
        ParamValidators.inArray(List.of("keep", "skip", "error")));
    setDefault(inputCol, "content");
    setDefault(outputCol, "embedding");
    setDefault(handleInvalid, "keep");
  }

  /** The transformer of a model file written by {@code train} (any Hadoop path; a run directory means its model.zip). */
  public static EncoderModel fromModelFile(SparkSession spark, String path) throws IOException {
    return new EncoderModel(TrainedEncoder.read(path, spark.sparkContext().hadoopConfiguration()));
  }

  public Param<String> inputCol() {
    return inputCol;
  }

  public Param<String> outputCol() {
    return outputCol;
  }

  public Param<String> handleInvalid() {
    return handleInvalid;
  }

  public String getInputCol() {
    return getOrDefault(inputCol);
  }

  public String getOutputCol() {
    return getOrDefault(outputCol);
  }

  public String getHandleInvalid() {
    return getOrDefault(handleInvalid);
  }

  public EncoderModel setInputCol(String value) {
    set(inputCol, value);
    return this;
  }

  public EncoderModel setOutputCol(String value) {
    set(outputCol, value);
    return this;
  }

  public EncoderModel setHandleInvalid(String value) {
    set(handleInvalid, value);
    return this;
  }

  /** The encoder this transformer applies. */
  public TrainedEncoder encoder() {
    return encoder;
  }

  @Override
  public String uid() {
    return uid;
  }

  /** The input schema plus the embedding column; fails, naming the column, on a missing or non-binary input or a taken output. */
  @Override
  public StructType transformSchema(StructType schema) {
    String in = getInputCol();
    String out = getOutputCol();
    List<String> names = Arrays.asList(schema.fieldNames());
    if (!names.contains(in)) {
      throw new IllegalArgumentException("EncoderModel: input column '" + in + "' does not exist; the columns are " + names
          + " (images read with spark.read().format(\"binaryFile\") have their bytes in 'content'; see setInputCol)");
    }
    StructField field = schema.apply(in);
    if (!field.dataType().equals(DataTypes.BinaryType)) {
      throw new IllegalArgumentException("EncoderModel: input column '" + in + "' has type " + field.dataType().simpleString()
          + "; it must be binary (the encoded PNG or JPEG bytes)");
    }
    if (names.contains(out)) {
      throw new IllegalArgumentException("EncoderModel: output column '" + out + "' already exists; choose another with setOutputCol");
    }
    return schema.add(new StructField(out, SQLDataTypes.VectorType(), true,
        new AttributeGroup(out, encoder.dimension()).toMetadata()));
  }

  @Override
  public Dataset<Row> transform(Dataset<?> dataset) {
    return transformRecordingSkipped(dataset, null);
  }

  /**
   * {@link #transform(Dataset)}, recording every undecodable image in {@code skipped}, named by the
   * input's {@code path} column where it has one (as {@code binaryFile} gives).
   */
  public Dataset<Row> transformRecordingSkipped(Dataset<?> dataset, SkippedImages skipped) {
    StructType out = transformSchema(dataset.schema());
    Dataset<Row> rows = dataset.toDF();
    StructType in = rows.schema();
    List<String> names = Arrays.asList(in.fieldNames());
    int pathIndex = names.contains("path") && in.apply("path").dataType().equals(DataTypes.StringType) ? in.fieldIndex("path") : -1;
    EmbedPartition embed = new EmbedPartition(broadcast(rows.sparkSession().sparkContext()), encoder.id(), encoder.input(),
        in.fieldIndex(getInputCol()), pathIndex, EmbedPartition.Invalid.of(getHandleInvalid()), skipped);
    StructField embedding = out.apply(getOutputCol());
    // mapPartitions keeps the column but not its metadata (the vector's size): put it back; the
    // backticks keep a name with dots one column
    return rows.mapPartitions(embed, Encoders.row(out)).withColumn(embedding.name(),
        col("`" + embedding.name().replace("`", "``") + "`").as(embedding.name(), embedding.metadata()));
  }

  /** One broadcast of the model per SparkContext, kept as long as this transformer lives. */
  private synchronized Broadcast<byte[]> broadcast(SparkContext sc) {
    if (broadcast == null || broadcastContext != sc) {
      broadcast = JavaSparkContext.fromSparkContext(sc).broadcast(encoder.sharedBytes());
      broadcastContext = sc;
    }
    return broadcast;
  }

  @Override
  public EncoderModel copy(ParamMap extra) {
    return copyValues(new EncoderModel(uid, encoder), extra).setParent(parent());
  }

  @Override
  public MLWriter write() {
    return new Writer(this);
  }

  public static MLReader<EncoderModel> read() {
    return new Reader();
  }

  /** Loads a transformer saved with {@code write().save(path)}. */
  public static EncoderModel load(String path) {
    return read().load(path);
  }

  /** An embedding vector back as the network's floats (exact: they were floats before the vector held them as doubles). */
  public static float[] toFloats(Vector embedding) {
    double[] d = embedding.toArray();
    float[] f = new float[d.length];
    for (int i = 0; i < d.length; i++) {
      f[i] = (float) d[i];
    }
    return f;
  }

  @Override
  public String toString() {
    return "EncoderModel: uid=" + uid + ", encoder " + encoder.id().substring(0, 12) + ", dimension " + encoder.dimension();
  }

  /** Spark ML's metadata (class, uid, params) as every Spark ML stage writes it, then the model file. */
  private static final class Writer extends MLWriter {
    private final EncoderModel instance;

    Writer(EncoderModel instance) {
      this.instance = instance;
    }

    @Override
    public void saveImpl(String path) {
      DefaultParamsWriter.saveMetadata(instance, path, sc(), Option.empty(), Option.empty());
      Path file = new Path(path, MODEL_ENTRY);
      try (OutputStream out = file.getFileSystem(sc().hadoopConfiguration()).create(file, false)) {
        out.write(instance.encoder.sharedBytes());
      } catch (IOException e) {
        throw new UncheckedIOException("cannot write " + file, e);
      }
    }
  }

  private static final class Reader extends MLReader<EncoderModel> {
    @Override
    public EncoderModel load(String path) {
      DefaultParamsReader.Metadata metadata = DefaultParamsReader.loadMetadata(path, sc(), EncoderModel.class.getName());
      try {
        EncoderModel model = new EncoderModel(metadata.uid(),
            TrainedEncoder.read(new Path(path, MODEL_ENTRY).toString(), sc().hadoopConfiguration()));
        metadata.getAndSetParams(model, Option.empty());
        return model;
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read " + new Path(path, MODEL_ENTRY), e);
      }
    }
  }
}
