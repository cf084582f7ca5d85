package sparkssl.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import java.util.Map;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import sparkssl.model.onednn.FusedLayers;

/** The oneDNN path (fused convolution layers, helpers elsewhere) is on by default, and it computes what DL4J's built-in path computes. */
class FastPathTest {

  /** oneDNN is the CPU backend's: built with -Pcuda there is none, and tests of it are skipped. */
  @BeforeAll
  static void assumeCpuBackend() {
    assumeFalse(Devices.cuda(), "ND4J backend is " + Devices.describeAll() + ": the oneDNN fast path is CPU-only");
  }

  /** The fast path, or DL4J's built-in one: no oneDNN helpers, no fused layers. */
  private static ComputationGraph build(boolean fast) {
    String helpers = System.getProperty(FastPath.HELPERS_DISABLE);
    System.setProperty(FastPath.HELPERS_DISABLE, String.valueOf(!fast));
    System.setProperty(FusedLayers.PROPERTY, String.valueOf(fast));
    try {
      ModelOptions o = new ModelOptions();
      o.imageSize = 16;
      return SslNetwork.create(o);
    } finally {
      System.clearProperty(FusedLayers.PROPERTY);
      if (helpers == null) {
        System.clearProperty(FastPath.HELPERS_DISABLE);
      } else {
        System.setProperty(FastPath.HELPERS_DISABLE, helpers);
      }
    }
  }

  @Test
  void activeByDefault() {
    FastPath.Status status = FastPath.status(SslNetwork.create(new ModelOptions()));
    assertTrue(status.active(), status.toString());
    assertEquals(3, status.fusedLayers(), status.toString());
    assertEquals(0, status.convLayers());
    assertEquals(0, status.bnLayers());
  }

  /**
   * Same seed, same inputs: loss within 1e-5 relative, every trainable parameter's gradient within 1%
   * in norm. The fused layer's {@code convK_gamma} is the plain chain's {@code convK_bn_gamma}. Not
   * element-wise: a batch-norm output within float rounding of zero can land on the other side of the
   * ReLU in one of the two float32 paths (seen: one element of 131,072), which moves a few gradient
   * elements by a few percent of the largest; a wrong layer moves the norm by far more.
   */
  @Test
  void lossAndGradientsAgreeWithAndWithoutTheFastPath() {
    ComputationGraph fast = build(true);
    ComputationGraph plain = build(false);
    assertTrue(FastPath.status(fast).active());
    assertEquals(3, FastPath.status(fast).fusedLayers());
    assertFalse(FastPath.status(plain).convHelpers() > 0, FastPath.status(plain).toString());
    assertEquals(0, FastPath.status(plain).fusedLayers());
    assertTrue(fast.getParam("conv1_W").equalsWithEps(plain.getParam("conv1_W"), 0), "same seed, same initial weights");

    Nd4j.getRandom().setSeed(5);
    INDArray x = Nd4j.rand(DataType.FLOAT, 32, 2, 16, 16);
    INDArray y = Nd4j.zeros(DataType.FLOAT, 32, 1);
    for (ComputationGraph net : new ComputationGraph[] {fast, plain}) {
      net.setInputs(x);
      net.setLabels(y);
      net.computeGradientAndScore();
    }
    assertEquals(plain.score(), fast.score(), 1e-5 * Math.abs(plain.score()));
    Map<String, INDArray> gFast = fast.gradient().gradientForVariable();
    int compared = 0;
    for (Map.Entry<String, INDArray> g : plain.gradient().gradientForVariable().entrySet()) {
      String key = g.getKey().replace("_bn_", "_");
      if (key.endsWith("_mean") || key.endsWith("_var") || key.endsWith("_log10stdev")) {
        continue; // running statistics: their "gradient" is the update step, kept as var here and log10(std) there
      }
      double relative = gFast.get(key).sub(g.getValue()).norm2Number().doubleValue() / g.getValue().norm2Number().doubleValue();
      assertTrue(relative <= 1e-2, key + ": |g_fast - g_plain| / |g_plain| = " + relative);
      compared++;
    }
    assertEquals(gFast.size() - 6, compared, "every trainable parameter compared");
  }
}
