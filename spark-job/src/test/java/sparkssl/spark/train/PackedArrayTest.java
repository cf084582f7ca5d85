package sparkssl.spark.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/** Rounds' arrays survive Java serialisation exactly, views and large arrays included. */
class PackedArrayTest {

  @Test
  void roundTripsExactly() throws Exception {
    Nd4j.getRandom().setSeed(3);
    INDArray floats = Nd4j.rand(DataType.FLOAT, 1, 3_000_001);
    INDArray doubles = Nd4j.rand(DataType.DOUBLE, 4, 5, 6);
    // a strided view: the column of a matrix
    INDArray view = Nd4j.rand(DataType.FLOAT, 7, 9).get(NDArrayIndex.all(), NDArrayIndex.point(4));
    for (INDArray a : new INDArray[] {floats, doubles, view}) {
      INDArray back = roundTrip(PackedArray.of(a)).array();
      assertEquals(a.dataType(), back.dataType());
      assertArrayEquals(a.shape(), back.shape());
      assertEquals(a, back);
    }
    assertNull(PackedArray.of(null));
  }

  private static PackedArray roundTrip(PackedArray p) throws Exception {
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    try (ObjectOutputStream out = new ObjectOutputStream(buf)) {
      out.writeObject(p);
    }
    try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(buf.toByteArray()))) {
      return (PackedArray) in.readObject();
    }
  }
}
