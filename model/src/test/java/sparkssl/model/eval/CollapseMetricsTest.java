package sparkssl.model.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class CollapseMetricsTest {
  @Test
  void rankMeOfKnownSingularValues() {
    // singular values 3 and 1: p = (0.75, 0.25) (+1e-7 each)
    INDArray x = Nd4j.create(new double[][] {{3, 0}, {0, 1}});
    double p1 = 0.75 + 1e-7;
    double p2 = 0.25 + 1e-7;
    assertEquals(Math.exp(-(p1 * Math.log(p1) + p2 * Math.log(p2))), CollapseMetrics.of(x).rankMe(), 1e-9);
  }

  @Test
  void spreadVectorsScoreHighAndCollapsedOnesLow() {
    Nd4j.getRandom().setSeed(3);
    INDArray spread = Nd4j.randn(DataType.DOUBLE, 2000, 16);
    CollapseMetrics healthy = CollapseMetrics.of(spread);
    assertEquals(1.0, healthy.relativeStd(), 0.05);
    assertTrue(healthy.rankMe() > 15, "rank of isotropic vectors: " + healthy.rankMe());

    // every vector a multiple of one direction, plus a little noise
    INDArray line = Nd4j.randn(DataType.DOUBLE, 2000, 1).mmul(Nd4j.randn(DataType.DOUBLE, 1, 16))
        .addi(Nd4j.randn(DataType.DOUBLE, 2000, 16).muli(1e-3));
    CollapseMetrics collapsed = CollapseMetrics.of(line.mul(line.getColumn(0).reshape(2000, 1).gt(0).castTo(DataType.DOUBLE).mul(2).sub(1)));
    assertTrue(collapsed.relativeStd() < 0.05, "spread of one direction: " + collapsed.relativeStd());
    assertTrue(collapsed.rankMe() < 1.1, "rank of one direction: " + collapsed.rankMe());
  }
}
