package sparkssl.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import sparkssl.model.blocks.ConvLayers;
import sparkssl.model.onednn.FusedConvLayer;

/** The oneDNN path (fused convolution layers, helpers elsewhere) is on by default, and it computes what DL4J's built-in path computes. */
class FastPathTest {
  /** A plain network's batch-norm parameter: the layer {@code B_bn} follows convolution B's, and the fused layer is that one. */
  private static final Pattern BN_PARAM = Pattern.compile("(.+)_bn_(gamma|beta|mean|var)");

  /** oneDNN is the CPU backend's: built with -Pcuda there is none, and tests of it are skipped. */
  @BeforeAll
  static void assumeCpuBackend() {
    assumeFalse(Devices.cuda(), "ND4J backend is " + Devices.describeAll() + ": the oneDNN fast path is CPU-only");
  }

  /** The fast path, or DL4J's built-in one: no oneDNN helpers, no fused layers. */
  private static ComputationGraph build(ModelOptions o, boolean fast) {
    String helpers = System.getProperty(FastPath.HELPERS_DISABLE);
    System.setProperty(FastPath.HELPERS_DISABLE, String.valueOf(!fast));
    try {
      return SslNetwork.create(o, fast ? ConvLayers.FUSED : ConvLayers.PLAIN);
    } finally {
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

  private static ModelOptions smallCnn() {
    ModelOptions o = new ModelOptions();
    o.imageSize = 16;
    return o;
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
    ComputationGraph fast = build(smallCnn(), true);
    ComputationGraph plain = build(smallCnn(), false);
    assertTrue(FastPath.status(fast).active());
    assertEquals(3, FastPath.status(fast).fusedLayers());
    assertFalse(FastPath.status(plain).convHelpers() > 0, FastPath.status(plain).toString());
    assertEquals(0, FastPath.status(plain).fusedLayers());
    assertTrue(fast.getParam("conv1_W").equalsWithEps(plain.getParam("conv1_W"), 0), "same seed, same initial weights");

    Nd4j.getRandom().setSeed(5);
    assertSameLossAndGradients(fast, plain, Nd4j.rand(DataType.FLOAT, 32, 2, 16, 16), 1e-2, 3);
  }

  /**
   * Loss within 1e-5 relative, and every trainable parameter's gradient within {@code tolerance} in
   * norm, on input {@code x}; each of the {@code fused} layers also has two running statistics, left out.
   */
  private static void assertSameLossAndGradients(ComputationGraph fast, ComputationGraph plain, INDArray x, double tolerance,
      int fused) {
    INDArray y = Nd4j.zeros(DataType.FLOAT, x.size(0), 1);
    for (ComputationGraph net : new ComputationGraph[] {fast, plain}) {
      net.setInputs(x);
      net.setLabels(y);
      net.computeGradientAndScore();
    }
    assertEquals(plain.score(), fast.score(), 1e-5 * Math.abs(plain.score()));
    Map<String, INDArray> gFast = fast.gradient().gradientForVariable();
    int compared = 0;
    for (Map.Entry<String, INDArray> g : plain.gradient().gradientForVariable().entrySet()) {
      if (isRunningStatistic(g.getKey())) {
        continue; // their "gradient" is the update step, compared after the update
      }
      String key = fusedKey(fast, g.getKey());
      double relative = gFast.get(key).distance2(g.getValue()) / g.getValue().norm2Number().doubleValue();
      assertTrue(relative <= tolerance, key + ": |g_fast - g_plain| / |g_plain| = " + relative);
      compared++;
    }
    assertEquals(gFast.size() - 2 * fused, compared, "every trainable parameter compared");
  }

  /**
   * A ResNet step (2 images of 2 views), fused layers against DL4J's own with the fused network's
   * parameters, its batch norms' affine parameters and running statistics drawn away from their
   * initial values: the inference embedding (which reads the running statistics), the loss and every
   * gradient (within 2% in norm, for the reason above, over 20 layers), then, after one update from the
   * same batch, every batch norm's running mean and variance. Not the weights after the update: Adam's
   * first step is about the learning rate times the gradient's sign, so an element whose gradient is
   * near zero moves either way in the two float32 paths.
   */
  @ParameterizedTest
  @CsvSource({"resnet18-cifar, 16", "resnet18, 32"})
  void aResNetStepAgreesWithAndWithoutTheFastPath(String backbone, int size) {
    ModelOptions o = new ModelOptions();
    o.backbone = backbone;
    o.imageSize = size;
    ComputationGraph fast = build(o, true);
    ComputationGraph plain = build(o, false);
    int fused = FastPath.status(fast).fusedLayers();
    assertEquals(20, fused, "stem, blocks and shortcut conv-BN(-ReLU) layers, fused");
    assertEquals(0, FastPath.status(plain).fusedLayers());
    Nd4j.getRandom().setSeed(9);
    fast.paramTable().forEach((key, value) -> {
      if (fast.getLayer(key.substring(0, key.lastIndexOf('_'))) instanceof FusedConvLayer) {
        drawAway(key, value);
      }
    });
    plain.paramTable().forEach((key, value) -> value.assign(fast.getParam(fusedKey(fast, key))));
    INDArray x = Nd4j.rand(DataType.FLOAT, 2, 2, size, size);
    assertRelative(SslNetwork.embed(plain, x), SslNetwork.embed(fast, x), 1e-4, "inference embedding, same parameters");

    assertSameLossAndGradients(fast, plain, x, 2e-2, fused);

    INDArray y = Nd4j.zeros(DataType.FLOAT, x.size(0), 1);
    fast.fit(new INDArray[] {x}, new INDArray[] {y});
    plain.fit(new INDArray[] {x}, new INDArray[] {y});
    int statistics = 0;
    for (Map.Entry<String, INDArray> p : plain.paramTable().entrySet()) {
      if (isRunningStatistic(p.getKey())) {
        assertRelative(p.getValue(), fast.getParam(fusedKey(fast, p.getKey())), 1e-4, p.getKey() + " after a step");
        statistics++;
      }
    }
    assertEquals(2 * fused, statistics, "every running statistic compared");
  }

  private static boolean isRunningStatistic(String plainKey) {
    return plainKey.endsWith("_mean") || plainKey.endsWith("_var");
  }

  /** The fused network's name for a plain network's parameter: a batch norm's is its convolution's fused layer's. */
  private static String fusedKey(ComputationGraph fast, String plainKey) {
    Matcher bn = BN_PARAM.matcher(plainKey);
    if (fast.paramTable().containsKey(plainKey) || !bn.matches()) {
      return plainKey;
    }
    return bn.group(1) + "_" + bn.group(2);
  }

  /** Batch-norm affine parameters and running statistics away from 1 and 0, so that a mix-up between them shows. */
  private static void drawAway(String key, INDArray value) {
    if (key.endsWith("_gamma") || key.endsWith("_var")) {
      value.assign(Nd4j.rand(value.dataType(), value.shape()).addi(0.5));
    } else if (key.endsWith("_beta") || key.endsWith("_mean")) {
      value.assign(Nd4j.randn(value.dataType(), value.shape()).muli(0.1));
    }
  }

  private static void assertRelative(INDArray expected, INDArray actual, double tolerance, String what) {
    double relative = expected.distance2(actual) / expected.norm2Number().doubleValue();
    assertTrue(relative <= tolerance, what + ": |actual - expected| / |expected| = " + relative);
  }
}
