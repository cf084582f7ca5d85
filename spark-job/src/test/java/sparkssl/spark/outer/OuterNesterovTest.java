package sparkssl.spark.outer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** The outer step against a hand computation on known deltas: momentum buffer, Nesterov look-ahead, outer rate, mask. */
class OuterNesterovTest {
  private static INDArray row(double... v) {
    return Nd4j.createFromArray(v).reshape(1, v.length);
  }

  @Test
  void twoRoundsByHand() {
    // lr 0.5, mu 0.9; the third parameter is a running statistic (mask 0): it takes the plain average
    OuterNesterov outer = new OuterNesterov(0.5, 0.9, row(1, 1, 0));
    INDArray start = row(1, 2, 3);
    INDArray averaged = row(1.2, 1.0, 4);
    // round 1: delta = (0.2, -1, masked); buf = delta; next = start + 0.5 * (delta + 0.9 * buf) = start + 0.95 * delta
    INDArray next = outer.step(start, averaged);
    assertArrayEquals(new double[] {1.19, 1.05, 4}, next.toDoubleVector(), 1e-12);
    assertArrayEquals(new double[] {0.2, -1, 0}, outer.state().toDoubleVector(), 1e-12);
    assertArrayEquals(new double[] {1, 2, 3}, start.toDoubleVector(), "start is left as it was");
    assertArrayEquals(new double[] {1.2, 1.0, 4}, averaged.toDoubleVector(), "the average is left as it was");

    // round 2 from 'next': delta = (0.1, 0.05); buf = 0.9 * (0.2, -1) + delta = (0.28, -0.85);
    // next2 = next + 0.5 * (delta + 0.9 * buf) = (1.19 + 0.5 * 0.352, 1.05 + 0.5 * -0.715)
    INDArray next2 = outer.step(next, row(1.29, 1.10, 5));
    assertArrayEquals(new double[] {0.28, -0.85, 0}, outer.state().toDoubleVector(), 1e-12);
    assertArrayEquals(new double[] {1.366, 0.6925, 5}, next2.toDoubleVector(), 1e-12);
  }

  @Test
  void unitRateWithoutMomentumIsPlainAveraging() {
    OuterNesterov outer = new OuterNesterov(1, 0, row(1, 1));
    assertArrayEquals(new double[] {3, -1}, outer.step(row(1, 1), row(3, -1)).toDoubleVector(), 1e-12);
    INDArray averaged = row(5, 6);
    assertSame(averaged, new PlainAverage().step(row(0, 0), averaged));
  }

  @Test
  void aRestoredBufferContinuesTheSameSteps() {
    INDArray mask = Nd4j.ones(DataType.FLOAT, 1, 3);
    OuterNesterov a = new OuterNesterov(0.7, 0.9, mask);
    a.step(row(0, 0, 0).castTo(DataType.FLOAT), row(1, 2, 3).castTo(DataType.FLOAT));
    OuterNesterov b = new OuterNesterov(0.7, 0.9, mask);
    b.load(a.state().dup());
    INDArray start = row(1, 1, 1).castTo(DataType.FLOAT);
    INDArray averaged = row(2, 0, 1).castTo(DataType.FLOAT);
    assertArrayEquals(a.step(start, averaged).toFloatVector(), b.step(start, averaged).toFloatVector());
    assertThrows(IllegalArgumentException.class, () -> b.load(Nd4j.zeros(DataType.FLOAT, 1, 2)));
  }
}
