package sparkssl.spark.eval;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import sparkssl.augment.ImageDecodeException;
import sparkssl.augment.ViewPipeline;
import sparkssl.spark.ml.EncoderInput;
import sparkssl.spark.ml.EncoderModel;
import sparkssl.spark.ml.TrainedEncoder;

/**
 * A labeled bank and query set as feature rows on the driver, computed on the executors: an encoder's
 * embeddings (as {@link EncoderModel} and {@code embed} compute them) or the raw pixels it is fed. Only
 * {@code (image, class, features)} rows come back. Each side is in the order of its images' names,
 * so the scores do not depend on how Spark partitioned the files. Classes are numbered in the sorted
 * order of the bank's class names; a query class the bank lacks is -1, which no protocol predicts. An
 * undecodable image drops out.
 */
public final class LabeledFeatures {
  /**
   * One side's rows.
   *
   * @param images each row's image as {@code class/file name}: unique in a labeled folder, and the same on any machine
   */
  public record Side(float[][] x, int[] y, String[] images) {
    public int size() {
      return y.length;
    }

    /** Feature length; 0 for an empty side. */
    public int dimension() {
      return x.length == 0 ? 0 : x[0].length;
    }
  }

  /** One image's row on its way to the driver. */
  private record Labeled(String image, String label, float[] x) implements Serializable {}

  private final List<String> classes;
  private final Side bank;
  private final Side queries;

  private LabeledFeatures(List<String> classes, Side bank, Side queries) {
    this.classes = classes;
    this.bank = bank;
    this.queries = queries;
  }

  /** The encoder's embeddings of both sets, given as {@code (path, content, label)} rows. */
  public static LabeledFeatures embedded(TrainedEncoder encoder, Dataset<Row> bank, Dataset<Row> queries) {
    EncoderModel model = new EncoderModel(encoder).setHandleInvalid("skip");
    return of(embed(model, bank), embed(model, queries));
  }

  /**
   * The encoder's input before normalisation, flattened: decoded, resized whole and converted to its
   * channels as for embedding, then scaled to [0, 1].
   */
  public static LabeledFeatures pixels(EncoderInput input, Dataset<Row> bank, Dataset<Row> queries) {
    return of(pixels(input, bank), pixels(input, queries));
  }

  private static List<Labeled> embed(EncoderModel model, Dataset<Row> labeled) {
    return model.transform(labeled).select("path", "label", model.getOutputCol()).javaRDD()
        .map(row -> new Labeled(image(row.getString(0)), row.getString(1), EncoderModel.toFloats(row.getAs(2))))
        .collect();
  }

  private static List<Labeled> pixels(EncoderInput input, Dataset<Row> labeled) {
    return labeled.select("path", "content", "label").javaRDD().mapPartitions((Iterator<Row> rows) -> {
      ViewPipeline pipeline = input.pipeline();
      List<Labeled> out = new ArrayList<>();
      while (rows.hasNext()) {
        Row row = rows.next();
        try {
          byte[] pixels = pipeline.plain((byte[]) row.get(1));
          float[] x = new float[pixels.length];
          for (int i = 0; i < x.length; i++) {
            x[i] = (pixels[i] & 0xFF) / 255f;
          }
          out.add(new Labeled(image(row.getString(0)), row.getString(2), x));
        } catch (ImageDecodeException e) {
          // as for embeddings: an undecodable labeled image is not part of the evaluation
        }
      }
      return out.iterator();
    }).collect();
  }

  private static LabeledFeatures of(List<Labeled> bank, List<Labeled> queries) {
    if (bank.isEmpty() || queries.isEmpty()) {
      throw new IllegalStateException("evaluation needs decodable images in both the train and the test folder");
    }
    Map<String, Integer> classes = new TreeMap<>();
    bank.forEach(t -> classes.putIfAbsent(t.label(), 0));
    int c = 0;
    for (Map.Entry<String, Integer> e : classes.entrySet()) {
      e.setValue(c++);
    }
    return new LabeledFeatures(List.copyOf(classes.keySet()), side(bank, classes), side(queries, classes));
  }

  private static Side side(List<Labeled> rows, Map<String, Integer> classes) {
    List<Labeled> sorted = new ArrayList<>(rows);
    sorted.sort(Comparator.comparing(Labeled::image));
    float[][] x = new float[sorted.size()][];
    int[] y = new int[sorted.size()];
    String[] images = new String[sorted.size()];
    for (int i = 0; i < x.length; i++) {
      Labeled r = sorted.get(i);
      x[i] = r.x();
      y[i] = classes.getOrDefault(r.label(), -1);
      images[i] = r.image();
    }
    return new Side(x, y, images);
  }

  /** {@code class/file name} of a file's path, as {@code binaryFile} names it. */
  private static String image(String path) {
    int file = path.lastIndexOf('/');
    return path.substring(path.lastIndexOf('/', file - 1) + 1);
  }

  /**
   * The same rows less the bank's mean: pixels are all positive, so before centring every pair of
   * images is close in cosine and k-NN votes on brightness more than on shape.
   */
  public LabeledFeatures centred() {
    int d = bank.dimension();
    double[] sum = new double[d];
    for (float[] row : bank.x()) {
      for (int j = 0; j < d; j++) {
        sum[j] += row[j];
      }
    }
    float[] mean = new float[d];
    for (int j = 0; j < d; j++) {
      mean[j] = (float) (sum[j] / bank.size());
    }
    return new LabeledFeatures(classes, minus(bank, mean), minus(queries, mean));
  }

  private static Side minus(Side side, float[] mean) {
    float[][] x = new float[side.size()][];
    for (int i = 0; i < x.length; i++) {
      x[i] = new float[mean.length];
      for (int j = 0; j < mean.length; j++) {
        x[i][j] = side.x()[i][j] - mean[j];
      }
    }
    return new Side(x, side.y(), side.images());
  }

  /** The bank's class names; class {@code i} of the rows is {@code classes().get(i)}. */
  public List<String> classes() {
    return classes;
  }

  public Side bank() {
    return bank;
  }

  public Side queries() {
    return queries;
  }
}
