package sparkssl.spark.cost;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.UncheckedIOException;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import sparkssl.spark.train.PackedArray;

/**
 * The cost model's machine constants measured in this JVM: Java serialisation (Spark's default for
 * broadcasts and task results) of an ND4J array as rounds pack it, and in-place adds, on a 32 MB
 * array: large enough that per-array costs vanish (a probe round's overhead holds those of a small
 * state, and they do not grow with it). Best of three.
 */
public final class MeasuredRates {
  private static final long BYTES = 32L << 20;
  private static final int TRIES = 3;

  private MeasuredRates() {}

  /** A model with this JVM's rates and no latency yet (a probe round supplies it). */
  public static RoundCostModel measure() {
    long floats = BYTES / 4;
    INDArray a = Nd4j.rand(DataType.FLOAT, floats);
    INDArray b = Nd4j.rand(DataType.FLOAT, floats);
    double serialize = Double.MAX_VALUE;
    double add = Double.MAX_VALUE;
    for (int i = 0; i < TRIES; i++) {
      long t0 = System.nanoTime();
      INDArray back = roundTrip(a);
      long t1 = System.nanoTime();
      b.addi(back);
      long t2 = System.nanoTime();
      // a write and a read per byte; the model charges each of them S/sigma
      serialize = Math.min(serialize, (t1 - t0) / 2e9);
      add = Math.min(add, (t2 - t1) / 1e9);
    }
    double bytes = floats * 4.0;
    return new RoundCostModel(0, bytes / serialize, bytes / add);
  }

  private static INDArray roundTrip(INDArray a) {
    try {
      ByteArrayOutputStream buf = new ByteArrayOutputStream();
      try (ObjectOutputStream out = new ObjectOutputStream(buf)) {
        out.writeObject(PackedArray.of(a));
      }
      try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(buf.toByteArray()))) {
        return ((PackedArray) in.readObject()).array();
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (ClassNotFoundException e) {
      throw new IllegalStateException(e);
    }
  }
}
