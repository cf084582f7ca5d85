package sparkssl.spark.train;

import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.Serializable;
import java.lang.ref.Reference;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.concurrency.AffinityManager;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A float or double ND4J array that Java serialisation (Spark's, for broadcasts and task results)
 * writes as blocks of bytes. ND4J's own {@code writeObject} writes an array element by element
 * through a {@code DataOutputStream}; this writes the array's host memory in 1 MB chunks and reads
 * them into a Java array that ND4J copies once. No direct buffers: allocating a fresh one the size of
 * a ResNet's state every round runs into the JVM's direct-memory limit and its forced collections.
 */
public final class PackedArray implements Serializable {
  private static final long serialVersionUID = 2L;
  private static final int CHUNK = 1 << 20;

  private transient INDArray array;

  private PackedArray(INDArray array) {
    if (array.dataType() != DataType.FLOAT && array.dataType() != DataType.DOUBLE) {
      throw new IllegalArgumentException("averaging rounds move float or double arrays, not " + array.dataType());
    }
    this.array = array;
  }

  /** Null for null, so optional parts of a round stay optional. */
  public static PackedArray of(INDArray array) {
    return array == null ? null : new PackedArray(array);
  }

  public INDArray array() {
    return array;
  }

  private void writeObject(ObjectOutputStream out) throws IOException {
    INDArray c = array.isView() || array.ordering() != 'c' ? array.dup('c') : array;
    Nd4j.getExecutioner().commit();
    Nd4j.getAffinityManager().ensureLocation(c, AffinityManager.Location.HOST);
    out.writeBoolean(c.dataType() == DataType.DOUBLE);
    out.writeObject(c.shape());
    ByteBuffer bytes = c.data().pointer().asByteBuffer();
    bytes.limit((int) (c.length() * c.dataType().width()));
    byte[] chunk = new byte[Math.min(CHUNK, bytes.remaining())];
    while (bytes.hasRemaining()) {
      int n = Math.min(chunk.length, bytes.remaining());
      bytes.get(chunk, 0, n);
      out.write(chunk, 0, n);
    }
    // the byte buffer does not keep the array alive: a dup'd copy could otherwise be collected, and its
    // memory unmapped, mid-copy (a JVM crash seen in the test suite under memory pressure)
    Reference.reachabilityFence(c);
  }

  private void readObject(ObjectInputStream in) throws IOException, ClassNotFoundException {
    boolean isDouble = in.readBoolean();
    long[] shape = (long[]) in.readObject();
    long length = 1;
    for (long d : shape) {
      length *= d;
    }
    int width = isDouble ? 8 : 4;
    float[] floats = isDouble ? null : new float[Math.toIntExact(length)];
    double[] doubles = isDouble ? new double[Math.toIntExact(length)] : null;
    byte[] chunk = new byte[(int) Math.min(CHUNK, Math.max(width, length * width))];
    long done = 0;
    while (done < length) {
      int n = (int) Math.min(chunk.length / width, length - done);
      in.readFully(chunk, 0, n * width);
      ByteBuffer b = ByteBuffer.wrap(chunk, 0, n * width).order(ByteOrder.nativeOrder());
      if (isDouble) {
        b.asDoubleBuffer().get(doubles, (int) done, n);
      } else {
        b.asFloatBuffer().get(floats, (int) done, n);
      }
      done += n;
    }
    array = isDouble ? Nd4j.create(doubles, shape, 'c') : Nd4j.create(floats, shape, 'c');
  }
}
