package sparkssl.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** The oneDNN path is on by default, and it computes what DL4J's built-in path computes. */
class FastPathTest {

  /** oneDNN is the CPU backend's: built with -Pcuda there is none, and tests of it are skipped. */
  @BeforeAll
  static void assumeCpuBackend() {
    assumeFalse(Devices.cuda(), "ND4J backend is " + Devices.describeAll() + ": the oneDNN fast path is CPU-only");
  }

  private static ComputationGraph build(boolean helpers) {
    String before = System.getProperty(FastPath.HELPERS_DISABLE);
    System.setProperty(FastPath.HELPERS_DISABLE, String.valueOf(!helpers));
    try {
      ModelOptions o = new ModelOptions();
      o.imageSize = 16;
      return SslNetwork.create(o);
    } finally {
      if (before == null) {
        System.clearProperty(FastPath.HELPERS_DISABLE);
      } else {
        System.setProperty(FastPath.HELPERS_DISABLE, before);
      }
    }
  }

  @Test
  void activeByDefault() {
    FastPath.Status status = FastPath.status(SslNetwork.create(new ModelOptions()));
    assertTrue(status.active(), status.toString());
    assertEquals(3, status.convLayers());
    assertEquals(3, status.bnLayers());
  }

  /** Same seed, same inputs: loss within 1e-5 relative, every gradient within 1e-3 of the largest. */
  @Test
  void lossAndGradientsAgreeWithAndWithoutHelpers() {
    ComputationGraph fast = build(true);
    ComputationGraph plain = build(false);
    assertTrue(FastPath.status(fast).active());
    assertFalse(FastPath.status(plain).convHelpers() > 0, FastPath.status(plain).toString());
    assertTrue(fast.params().equalsWithEps(plain.params(), 0), "same seed, same initial weights");

    Nd4j.getRandom().setSeed(5);
    INDArray x = Nd4j.rand(DataType.FLOAT, 32, 2, 16, 16);
    INDArray y = Nd4j.zeros(DataType.FLOAT, 32, 1);
    for (ComputationGraph net : new ComputationGraph[] {fast, plain}) {
      net.setInputs(x);
      net.setLabels(y);
      net.computeGradientAndScore();
    }
    assertEquals(plain.score(), fast.score(), 1e-5 * Math.abs(plain.score()));
    INDArray gFast = fast.gradient().gradient();
    INDArray gPlain = plain.gradient().gradient();
    double scale = gPlain.amaxNumber().doubleValue();
    double maxDiff = gFast.sub(gPlain).amaxNumber().doubleValue();
    assertTrue(maxDiff <= 1e-3 * scale, "max |g_fast - g_plain| = " + maxDiff + " vs max |g| = " + scale);
  }
}
