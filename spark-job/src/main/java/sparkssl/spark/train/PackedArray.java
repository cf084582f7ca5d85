package sparkssl.spark.train;

import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.Serializable;
import java.nio.ByteBuffer;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.serde.binary.BinarySerde;

/**
 * An ND4J array that Java serialisation (Spark's, for broadcasts and task results) writes as one
 * block of bytes. ND4J's own {@code writeObject} writes an array element by element through a
 * {@code DataOutputStream}, about 80 MB/s here, which made every averaging round of a ResNet spend
 * seconds in serialisation; {@link BinarySerde} copies the buffer whole (from device memory first,
 * on CUDA).
 */
public final class PackedArray implements Serializable {
  private static final long serialVersionUID = 1L;
  private static final int CHUNK = 1 << 20;

  private transient INDArray array;

  private PackedArray(INDArray array) {
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
    ByteBuffer bytes = BinarySerde.toByteBuffer(array);
    out.writeInt(bytes.remaining());
    byte[] chunk = new byte[Math.min(CHUNK, bytes.remaining())];
    while (bytes.hasRemaining()) {
      int n = Math.min(chunk.length, bytes.remaining());
      bytes.get(chunk, 0, n);
      out.write(chunk, 0, n);
    }
  }

  private void readObject(ObjectInputStream in) throws IOException {
    int length = in.readInt();
    ByteBuffer bytes = ByteBuffer.allocateDirect(length);
    byte[] chunk = new byte[Math.min(CHUNK, length)];
    while (bytes.hasRemaining()) {
      int n = Math.min(chunk.length, bytes.remaining());
      in.readFully(chunk, 0, n);
      bytes.put(chunk, 0, n);
    }
    bytes.flip();
    array = BinarySerde.toArray(bytes);
  }
}
