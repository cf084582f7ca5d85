package sparkssl.model.blocks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;
import sparkssl.model.Devices;
import sparkssl.model.FastPath;
import sparkssl.model.ModelIO;
import sparkssl.model.ModelOptions;
import sparkssl.model.SslNetwork;

/**
 * A network trained with one set of convolution layers, saved, loaded and converted to the other
 * set embeds as it did (within 1e-5), converts back to the parameters it had, and keeps training where
 * it stood: its updater state moved with the parameters.
 */
class ConvLayerConversionTest {
  private static final double TOLERANCE = 1e-5;

  @BeforeAll
  static void assumeCpuBackend() {
    assumeFalse(Devices.cuda(), "fused layers need ND4J's CPU backend, this one is " + Devices.describeAll());
  }

  private static ModelOptions options(String backbone, int size, boolean batchNorm) {
    ModelOptions o = new ModelOptions();
    o.backbone = backbone;
    o.imageSize = size;
    o.batchNorm = batchNorm;
    o.convWidths = new int[] {8, 8, 16};
    o.projectorHidden = 16;
    o.projectionSize = 8;
    return o;
  }

  /** A few steps, so that batch norm's running statistics and Adam's state are far from where they start. */
  private static ComputationGraph trained(ModelOptions o, ConvLayers layers) {
    ComputationGraph net = SslNetwork.create(o, layers);
    Nd4j.getRandom().setSeed(11);
    for (int i = 0; i < 4; i++) {
      net.fit(new INDArray[] {Nd4j.rand(DataType.FLOAT, 8, 2, o.imageSize, o.imageSize)}, new INDArray[] {Nd4j.zeros(DataType.FLOAT, 8, 1)});
    }
    return net;
  }

  private static ComputationGraph savedAndLoaded(ComputationGraph net) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ModelIO.write(net, out);
    return ModelIO.read(new ByteArrayInputStream(out.toByteArray()));
  }

  @ParameterizedTest
  @CsvSource({"small-cnn, 12, true, FUSED", "small-cnn, 12, false, FUSED", "resnet18-cifar, 8, true, FUSED",
      "small-cnn, 12, true, PLAIN", "resnet18-cifar, 8, true, PLAIN"})
  void aTrainedModelEmbedsTheSameWithEitherLayersAndConvertsBack(String backbone, int size, boolean batchNorm, ConvLayers trainedWith)
      throws IOException {
    ConvLayers other = trainedWith == ConvLayers.FUSED ? ConvLayers.PLAIN : ConvLayers.FUSED;
    ComputationGraph original = trained(options(backbone, size, batchNorm), trainedWith);
    ComputationGraph converted = ConvLayerConversion.to(savedAndLoaded(original), other);
    assertEquals(other, ConvLayers.of(converted.getConfiguration()));
    FastPath.Status status = FastPath.status(converted);
    assertEquals(other == ConvLayers.FUSED, status.fusedLayers() > 0, status.toString());
    assertEquals(other == ConvLayers.PLAIN, status.convLayers() > 0, status.toString());
    assertEquals(original.getIterationCount(), converted.getIterationCount());

    Nd4j.getRandom().setSeed(12);
    INDArray images = Nd4j.rand(DataType.FLOAT, 6, 1, size, size);
    INDArray expected = SslNetwork.embed(original, images);
    assertWithin(expected, SslNetwork.embed(converted, images), "embedding after conversion to " + other);

    ComputationGraph back = ConvLayerConversion.to(savedAndLoaded(converted), trainedWith);
    assertEquals(original.getConfiguration().getVertices().keySet(), back.getConfiguration().getVertices().keySet());
    original.paramTable().forEach((key, value) -> assertWithin(value, back.getParam(key), key + " after the round trip"));
    assertWithin(original.getUpdater().getStateViewArray(), back.getUpdater().getStateViewArray(), "updater state after the round trip");
    assertWithin(expected, SslNetwork.embed(back, images), "embedding after the round trip");
  }

  /**
   * One more step from the same state, fused and converted to plain: the parameters move alike. Were
   * the updater state lost or misplaced, Adam's step (then about the learning rate times the gradient's
   * sign) would differ in about every element.
   */
  @Test
  void trainingGoesOnFromTheSameUpdaterState() {
    ModelOptions o = options("small-cnn", 12, true);
    ComputationGraph fused = trained(o, ConvLayers.FUSED);
    ComputationGraph plain = ConvLayerConversion.to(fused, ConvLayers.PLAIN);
    INDArray before = fused.params().dup();
    Nd4j.getRandom().setSeed(13);
    INDArray[] x = {Nd4j.rand(DataType.FLOAT, 8, 2, 12, 12)};
    INDArray[] y = {Nd4j.zeros(DataType.FLOAT, 8, 1)};
    fused.fit(x, y);
    plain.fit(x, y);
    INDArray fusedStep = fused.params().sub(before);
    INDArray plainStep = ConvLayerConversion.to(plain, ConvLayers.FUSED).params().sub(before);
    double relative = fusedStep.distance2(plainStep) / fusedStep.norm2Number().doubleValue();
    assertTrue(relative < 1e-3, "|step_fused - step_plain| / |step_fused| = " + relative);
  }

  /**
   * Plain networks built before this project kept DL4J's default batch norm, whose running variance is
   * {@code log10(sqrt(var + eps))}: such a model converts too. DL4J computes that form's inference in
   * float32 a little differently, hence 1e-4.
   */
  @Test
  void aPlainModelWithLogStandardDeviationsConverts() {
    ModelOptions o = options("small-cnn", 12, true);
    ComputationGraph current = trained(o, ConvLayers.PLAIN);
    ComputationGraphConfiguration conf = current.getConfiguration().clone();
    conf.getVertices().values().forEach(v -> {
      if (v instanceof LayerVertex l && l.getLayerConf().getLayer() instanceof BatchNormalization bn) {
        bn.setUseLogStd(true);
      }
    });
    ComputationGraph old = new ComputationGraph(conf);
    old.init();
    current.paramTable().forEach((key, value) -> old.getParam(key.endsWith("_var") ? key.replace("_var", "_log10stdev") : key)
        .assign(key.endsWith("_var") ? Transforms.log(value.add(1e-5), 10, true).muli(0.5) : value));
    INDArray images = Nd4j.rand(DataType.FLOAT, 6, 1, 12, 12);
    assertWithin(SslNetwork.embed(current, images), SslNetwork.embed(old, images), 1e-4, "the old form, as DL4J runs it");
    ComputationGraph fused = ConvLayerConversion.to(old, ConvLayers.FUSED);
    assertWithin(SslNetwork.embed(current, images), SslNetwork.embed(fused, images), 1e-4, "embedding, fused");
    current.paramTable().forEach((key, value) -> assertWithin(value, fused.getParam(key.replace("_bn_", "_")), key));
  }

  @Test
  void aNetworkAlreadyOfTheseLayersIsKeptAndDoublePrecisionIsNeverFused() {
    ComputationGraph plain = SslNetwork.create(options("small-cnn", 12, true), ConvLayers.PLAIN);
    assertSame(plain, ConvLayerConversion.to(plain, ConvLayers.PLAIN));
    ComputationGraph doubles = SslNetwork.create(options("small-cnn", 12, true), DataType.DOUBLE);
    assertEquals(ConvLayers.PLAIN, ConvLayers.of(doubles.getConfiguration()));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ConvLayerConversion.to(doubles, ConvLayers.FUSED));
    assertTrue(e.getMessage().contains("float32"), e.getMessage());
  }

  /** Largest element-wise difference within the tolerance times the larger of 1 and the largest magnitude. */
  private static void assertWithin(INDArray expected, INDArray actual, String what) {
    assertWithin(expected, actual, TOLERANCE, what);
  }

  private static void assertWithin(INDArray expected, INDArray actual, double tolerance, String what) {
    assertEquals(expected.length(), actual.length(), what + ": length");
    double scale = Math.max(1, expected.amaxNumber().doubleValue());
    double worst = expected.reshape(expected.length()).sub(actual.reshape(actual.length())).amaxNumber().doubleValue();
    assertTrue(worst <= tolerance * scale, what + ": largest difference " + worst + " (scale " + scale + ")");
  }
}
