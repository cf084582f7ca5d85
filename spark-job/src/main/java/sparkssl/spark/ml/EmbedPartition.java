package sparkssl.spark.ml;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.NoSuchElementException;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.factory.Nd4j;
import sparkssl.augment.ImageDecodeException;
import sparkssl.augment.ViewPipeline;
import sparkssl.model.SslNetwork;
import sparkssl.spark.data.SkippedFile;
import sparkssl.spark.train.TaskDevice;

/**
 * Executor side of {@link EncoderModel#transform}: a partition's rows come out in order, each with its
 * embedding appended. Images are decoded and embedded {@value #BATCH} at a time, as they are asked
 * for, so a partition is never held in memory. An undecodable image is kept with a null embedding,
 * skipped, or fails the task, as {@link Invalid} says, and is recorded in {@link SkippedImages} when
 * one is given.
 */
final class EmbedPartition implements MapPartitionsFunction<Row, Row> {
  private static final long serialVersionUID = 1L;
  static final int BATCH = 256;

  /** What happens to a row whose image cannot be decoded: Spark ML's {@code handleInvalid} values. */
  enum Invalid {
    KEEP, SKIP, ERROR;

    static Invalid of(String value) {
      return valueOf(value.toUpperCase(Locale.ROOT));
    }
  }

  private final Broadcast<byte[]> model;
  private final String modelId;
  private final EncoderInput input;
  private final int contentIndex;
  private final int pathIndex;
  private final Invalid invalid;
  private final SkippedImages skipped;

  /**
   * @param pathIndex the row's string column that names its file in messages, or -1
   * @param skipped where undecodable images are recorded, or null
   */
  EmbedPartition(Broadcast<byte[]> model, String modelId, EncoderInput input, int contentIndex, int pathIndex,
      Invalid invalid, SkippedImages skipped) {
    this.model = model;
    this.modelId = modelId;
    this.input = input;
    this.contentIndex = contentIndex;
    this.pathIndex = pathIndex;
    this.invalid = invalid;
    this.skipped = skipped;
  }

  @Override
  public Iterator<Row> call(Iterator<Row> rows) {
    TaskDevice.bind();
    ViewPipeline pipeline = input.pipeline();
    int len = input.length();
    return new Iterator<>() {
      private final Deque<Row> ready = new ArrayDeque<>();
      private final float[] buf = new float[BATCH * len];
      private long rowsRead;
      private long skippedHere;

      @Override
      public boolean hasNext() {
        while (ready.isEmpty() && rows.hasNext()) {
          embedNextBatch();
        }
        return !ready.isEmpty();
      }

      @Override
      public Row next() {
        if (!hasNext()) {
          throw new NoSuchElementException();
        }
        return ready.poll();
      }

      /** Up to BATCH rows: decoded into the buffer (slot >= 0) or kept without an image (slot -1). */
      private void embedNextBatch() {
        List<Row> batch = new ArrayList<>(BATCH);
        List<Integer> slots = new ArrayList<>(BATCH);
        int n = 0;
        while (batch.size() < BATCH && rows.hasNext()) {
          Row row = rows.next();
          rowsRead++;
          try {
            byte[] content = (byte[]) row.get(contentIndex);
            if (content == null) {
              throw new ImageDecodeException(ImageDecodeException.Kind.EMPTY, "null content");
            }
            byte[] pixels = pipeline.plain(content);
            pipeline.normalize().toFloats(pixels, 0, buf, n * len, 1, input.channels(), input.imageSize() * input.imageSize());
            batch.add(row);
            slots.add(n++);
          } catch (ImageDecodeException e) {
            SkippedFile file = new SkippedFile(nameOf(row), e.kind() + ": " + e.getMessage());
            if (invalid == Invalid.ERROR) {
              throw new IllegalArgumentException("undecodable image " + file
                  + "; set the EncoderModel's handleInvalid to 'keep' (null embedding) or 'skip' (drop the row)");
            }
            if (skipped != null) {
              skipped.add(file, skippedHere++);
            }
            if (invalid == Invalid.KEEP) {
              batch.add(row);
              slots.add(-1);
            }
          }
        }
        float[][] embeddings = n == 0 ? new float[0][] : embed(n);
        for (int i = 0; i < batch.size(); i++) {
          int slot = slots.get(i);
          ready.add(withEmbedding(batch.get(i), slot < 0 ? null : toVector(embeddings[slot])));
        }
      }

      private float[][] embed(int n) {
        ComputationGraph net = EncoderCache.borrow(modelId, model::value);
        try {
          return SslNetwork.embed(net, Nd4j.create(Arrays.copyOf(buf, n * len),
              new long[] {n, input.channels(), input.imageSize(), input.imageSize()}, 'c')).toFloatMatrix();
        } finally {
          EncoderCache.giveBack(modelId, net);
        }
      }

      private String nameOf(Row row) {
        if (pathIndex >= 0 && !row.isNullAt(pathIndex)) {
          return row.getString(pathIndex);
        }
        return "row " + (rowsRead - 1) + " of partition " + TaskContext.getPartitionId();
      }
    };
  }

  private static Row withEmbedding(Row row, Vector embedding) {
    Object[] values = new Object[row.length() + 1];
    for (int i = 0; i < row.length(); i++) {
      values[i] = row.get(i);
    }
    values[row.length()] = embedding;
    return RowFactory.create(values);
  }

  /** Float to double is exact: the vector holds the network's values bit for bit. */
  private static Vector toVector(float[] embedding) {
    double[] d = new double[embedding.length];
    for (int i = 0; i < d.length; i++) {
      d[i] = embedding[i];
    }
    return Vectors.dense(d);
  }
}
