package sparkssl.model.onednn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.Stream;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.lossfunctions.LossFunctions;
import org.nd4j.linalg.ops.transforms.Transforms;
import org.nd4j.nativeblas.NativeOpsHolder;
import sparkssl.model.FastPath;

/**
 * The fused oneDNN conv-BN-ReLU layer against DL4J's own three layers with the same parameters:
 * outputs, every gradient (input included), the running statistics after a step and the inference
 * pass; and its gradient against central finite differences of its own forward pass (float32: oneDNN
 * has no double-precision convolution, so tolerances are float's).
 */
class FusedConvTest {
  private static final int N = 6;
  private static final int C = 3;
  private static final int OUT = 4;

  static Stream<Arguments> geometries() {
    return Stream.of( // kernel, stride, padding (-1: Same mode), relu, input side
        Arguments.of(3, 1, -1, true, 6),
        Arguments.of(3, 2, -1, true, 7),
        Arguments.of(3, 2, -1, true, 8),
        Arguments.of(3, 2, 1, false, 7),
        Arguments.of(1, 2, 0, false, 6),
        Arguments.of(3, 1, 1, true, 5));
  }

  static Stream<Arguments> biasGeometries() {
    return Stream.of( // kernel, stride, padding (-1: Same mode), relu, input side
        Arguments.of(3, 1, -1, true, 6),
        Arguments.of(3, 2, -1, true, 8),
        Arguments.of(3, 2, 1, false, 7));
  }

  @ParameterizedTest
  @MethodSource("biasGeometries")
  void withoutBatchNormSameAsDl4jsConvolution(int k, int stride, int padding, boolean relu, int side) {
    FastPath.enable();
    MultiLayerNetwork fused = network(fusedLayer(k, stride, padding, relu, false), side);
    MultiLayerNetwork plain = finish(builder().list().layer(plainConv(k, stride, padding, true)
        .activation(relu ? Activation.RELU : Activation.IDENTITY).build()), side);
    Nd4j.getRandom().setSeed(4);
    fused.getParam("0_b").assign(Nd4j.randn(DataType.FLOAT, 1, OUT).muli(0.1));
    for (String key : new String[] {"0_W", "0_b", "2_W", "2_b"}) {
      plain.getParam(key).assign(fused.getParam(key));
    }
    INDArray x = Nd4j.randn(DataType.FLOAT, N, C, side, side);
    INDArray labels = Nd4j.randn(DataType.FLOAT, N, 2);
    assertClose(plain.output(x, false), fused.output(x, false), 1e-5, "output");
    Pair<Gradient, INDArray> gf = fused.calculateGradients(x, labels, null, null);
    Pair<Gradient, INDArray> gp = plain.calculateGradients(x, labels, null, null);
    for (String key : new String[] {"0_W", "0_b", "2_W"}) {
      assertClose(gp.getFirst().gradientForVariable().get(key), gf.getFirst().gradientForVariable().get(key), 1e-4, "d" + key);
    }
    assertClose(gp.getSecond(), gf.getSecond(), 1e-4, "input gradient");
    fused.fit(x, labels);
    plain.fit(x, labels);
    for (String key : new String[] {"0_W", "0_b"}) {
      assertClose(plain.getParam(key), fused.getParam(key), 1e-5, key + " after a step");
    }
  }

  @ParameterizedTest
  @MethodSource("geometries")
  void sameAsDl4jsConvBatchNormRelu(int k, int stride, int padding, boolean relu, int side) {
    FastPath.enable();
    MultiLayerNetwork fused = network(fusedLayer(k, stride, padding, relu), side);
    MultiLayerNetwork plain = plainNetwork(k, stride, padding, relu, side);
    Nd4j.getRandom().setSeed(3);
    copyParams(fused, plain);
    INDArray x = Nd4j.randn(DataType.FLOAT, N, C, side, side);
    INDArray labels = Nd4j.randn(DataType.FLOAT, N, 2);

    assertClose(plain.output(x, true), fused.output(x, true), 1e-5, "training-mode output");

    Pair<Gradient, INDArray> gf = fused.calculateGradients(x, labels, null, null);
    Pair<Gradient, INDArray> gp = plain.calculateGradients(x, labels, null, null);
    Map<String, INDArray> f = gf.getFirst().gradientForVariable();
    Map<String, INDArray> p = gp.getFirst().gradientForVariable();
    assertClose(p.get("0_W"), f.get("0_W"), 1e-4, "dW");
    assertClose(p.get("1_gamma"), f.get("0_gamma"), 1e-4, "dgamma");
    assertClose(p.get("1_beta"), f.get("0_beta"), 1e-4, "dbeta");
    assertClose(p.get("4_W"), f.get("2_W"), 1e-4, "output layer dW");
    assertClose(gp.getSecond(), gf.getSecond(), 1e-4, "input gradient");

    fused.fit(x, labels);
    plain.fit(x, labels);
    assertClose(plain.getParam("0_W"), fused.getParam("0_W"), 1e-5, "W after a step");
    assertClose(plain.getParam("1_mean"), fused.getParam("0_mean"), 1e-5, "running mean after a step");
    assertClose(plain.getParam("1_var"), fused.getParam("0_var"), 1e-4, "running variance after a step");
    assertClose(plain.output(x, false), fused.output(x, false), 1e-4, "inference output (running statistics)");
  }

  static Stream<Arguments> threadCounts() {
    return Stream.of(1, 2, 4).flatMap(threads -> Stream.of(Arguments.of(threads, 1), Arguments.of(threads, 2)));
  }

  /**
   * oneDNN splits a primitive's work (batch statistics, the weights' gradient) between as many OpenMP
   * threads as the creating thread has (a Spark task binds its spark.task.cpus): other float sums, the
   * same function. Each count on a thread of its own, whatever the test machine's cores; every gradient
   * within 1e-4 in relative L2 norm, where a wrong split shows as percents. A batch-norm output within float rounding of zero could land on
   * either side of the ReLU and move a gradient by percents legitimately (a tiny network shows it at 2
   * threads and at 1), so the data must keep clear of the kink.
   */
  @ParameterizedTest
  @MethodSource("threadCounts")
  void sameGradientsOnAnyNumberOfThreads(int threads, int stride) throws Exception {
    FastPath.enable();
    MultiLayerNetwork fused = network(fusedLayer(3, stride, -1, true), 8);
    MultiLayerNetwork plain = plainNetwork(3, stride, -1, true, 8);
    Nd4j.getRandom().setSeed(6);
    copyParams(fused, plain);
    INDArray x = Nd4j.randn(DataType.FLOAT, N, C, 8, 8);
    INDArray labels = Nd4j.randn(DataType.FLOAT, N, 2);
    onThreads(threads, () -> {
      List<INDArray> plainActivations = plain.feedForward(x, true);
      double nearestToKink = Transforms.abs(plainActivations.get(2)).minNumber().doubleValue();
      assertTrue(nearestToKink > 1e-5, "a batch-norm output " + nearestToKink + " from the ReLU's kink: take another seed");
      assertRelative(plainActivations.get(3), fused.feedForward(x, true).get(1), "training-mode output");
      Pair<Gradient, INDArray> gf = fused.calculateGradients(x, labels, null, null);
      Pair<Gradient, INDArray> gp = plain.calculateGradients(x, labels, null, null);
      Map<String, INDArray> f = gf.getFirst().gradientForVariable();
      Map<String, INDArray> p = gp.getFirst().gradientForVariable();
      assertRelative(p.get("0_W"), f.get("0_W"), "dW");
      assertRelative(p.get("1_gamma"), f.get("0_gamma"), "dgamma");
      assertRelative(p.get("1_beta"), f.get("0_beta"), "dbeta");
      assertRelative(p.get("4_W"), f.get("2_W"), "output layer dW");
      assertRelative(gp.getSecond(), gf.getSecond(), "input gradient");
      return null;
    });
  }

  /** {@code task} on a new thread with {@code threads} OpenMP threads (OpenMP's count is the calling thread's). */
  private static void onThreads(int threads, Callable<Void> task) throws Exception {
    ExecutorService thread = Executors.newSingleThreadExecutor();
    try {
      thread.submit(() -> {
        NativeOpsHolder.getInstance().getDeviceNativeOps().setOmpNumThreads(threads);
        return task.call();
      }).get();
    } catch (ExecutionException e) {
      if (e.getCause() instanceof Error error) {
        throw error;
      }
      throw e;
    } finally {
      thread.shutdown();
    }
  }

  private static void assertRelative(INDArray expected, INDArray actual, String what) {
    assertArrayEquals(expected.shape(), actual.shape(), what + ": shape");
    double relative = expected.distance2(actual) / expected.norm2Number().doubleValue();
    assertTrue(relative <= 1e-4, what + ": |actual - expected| / |expected| = " + relative);
  }

  @Test
  void gradientMatchesFiniteDifferences() {
    FastPath.enable();
    MultiLayerNetwork net = network(fusedLayer(3, 2, -1, true), 7);
    Nd4j.getRandom().setSeed(5);
    INDArray x = Nd4j.randn(DataType.FLOAT, N, C, 7, 7);
    INDArray labels = Nd4j.randn(DataType.FLOAT, N, 2);
    Pair<Gradient, INDArray> g = net.calculateGradients(x, labels, null, null);
    INDArray params = net.params();
    // DL4J's score is the batch mean; its gradients are batch sums that the updater divides
    INDArray analytic = g.getFirst().gradient().div(N);
    long trainable = FusedConvParams.INSTANCE.numParams(net.getLayer(0).conf()) - 2 * OUT;
    double h = 1e-2;
    int checked = 0;
    for (long i = 0; i < trainable; i += 3) {
      double original = params.getDouble(i);
      params.putScalar(i, original + h);
      double up = score(net, x, labels);
      params.putScalar(i, original - h);
      double down = score(net, x, labels);
      params.putScalar(i, original);
      double numeric = (up - down) / (2 * h);
      double a = analytic.getDouble(i);
      assertEquals(numeric, a, 2e-3 + 2e-2 * Math.abs(numeric), "parameter " + i);
      checked++;
    }
    assertTrue(checked > 30, "checked " + checked);
  }

  @Test
  void theRunningStatisticsTakeNoUpdaterAndNoRegularization() {
    FusedConv c = fusedLayer(3, 1, -1, true);
    assertEquals("NoOp", c.getUpdaterByParam("mean").getClass().getSimpleName());
    assertEquals("NoOp", c.getUpdaterByParam("var").getClass().getSimpleName());
    assertEquals(null, c.getRegularizationByParam("gamma"));
    assertArrayEquals(new long[] {OUT, C, 3, 3}, network(c, 5).getParam("0_W").shape());
  }

  /**
   * An input the layer was not configured for is refused, naming the layer and both shapes, as DL4J's
   * ConvolutionLayer refuses it: oneDNN would take the channel count from the input and read and
   * write the weights past their end, or fail on a missing axis.
   */
  @ParameterizedTest
  @MethodSource("wrongInputs")
  void refusesAnInputOfAnotherShapeNamingTheLayerAndBothShapes(long[] shape, String expected) {
    FastPath.enable();
    MultiLayerNetwork net = network(new FusedConv.Builder(3).padding(0).nOut(OUT).name("stem").build(), 6);
    INDArray x = Nd4j.randn(DataType.FLOAT, shape);
    for (boolean training : new boolean[] {false, true}) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> net.output(x, training));
      assertTrue(e.getMessage().contains("stem") && e.getMessage().contains(java.util.Arrays.toString(shape))
          && e.getMessage().contains(expected), e.getMessage());
    }
  }

  static Stream<Arguments> wrongInputs() {
    String expected = "[minibatch, " + C + ", >= 3, >= 3]";
    return Stream.of(
        Arguments.of(new long[] {N, C + 2, 6, 6}, expected),
        Arguments.of(new long[] {N, C, 6}, expected),
        Arguments.of(new long[] {N, C, 2, 6}, expected));
  }

  private static double score(MultiLayerNetwork net, INDArray x, INDArray labels) {
    net.setInput(x);
    net.setLabels(labels);
    net.computeGradientAndScore();
    return net.score();
  }

  static FusedConv fusedLayer(int k, int stride, int padding, boolean relu) {
    return fusedLayer(k, stride, padding, relu, true);
  }

  private static FusedConv fusedLayer(int k, int stride, int padding, boolean relu, boolean batchNorm) {
    FusedConv.Builder b = new FusedConv.Builder(k).stride(stride).relu(relu).batchNorm(batchNorm).nOut(OUT);
    return (padding < 0 ? b.samePadding() : b.padding(padding)).build();
  }

  private static ConvolutionLayer.Builder plainConv(int k, int stride, int padding, boolean bias) {
    ConvolutionLayer.Builder conv = new ConvolutionLayer.Builder(k, k).stride(stride, stride).nOut(OUT).hasBias(bias);
    return padding < 0 ? conv.convolutionMode(ConvolutionMode.Same) : conv.convolutionMode(ConvolutionMode.Truncate).padding(padding, padding);
  }

  private static MultiLayerNetwork plainNetwork(int k, int stride, int padding, boolean relu, int side) {
    NeuralNetConfiguration.ListBuilder b = builder().list()
        .layer(plainConv(k, stride, padding, false).activation(Activation.IDENTITY).build())
        .layer(new BatchNormalization.Builder().useLogStd(false).build())
        .layer(new ActivationLayer(relu ? Activation.RELU : Activation.IDENTITY));
    return finish(b, side);
  }

  static MultiLayerNetwork network(FusedConv layer, int side) {
    return finish(builder().list().layer(layer), side);
  }

  private static NeuralNetConfiguration.Builder builder() {
    return new NeuralNetConfiguration.Builder().seed(1).dataType(DataType.FLOAT).weightInit(WeightInit.RELU)
        .updater(new Sgd(0.1));
  }

  private static MultiLayerNetwork finish(NeuralNetConfiguration.ListBuilder b, int side) {
    MultiLayerNetwork net = new MultiLayerNetwork(b
        .layer(new GlobalPoolingLayer.Builder(PoolingType.AVG).build())
        .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MSE).activation(Activation.IDENTITY).nOut(2).build())
        .setInputType(InputType.convolutional(side, side, C))
        .build());
    net.init();
    return net;
  }

  /** The plain network takes the fused one's parameters, with non-trivial BN affine and running statistics. */
  private static void copyParams(MultiLayerNetwork fused, MultiLayerNetwork plain) {
    fused.getParam("0_gamma").assign(Nd4j.rand(DataType.FLOAT, OUT).addi(0.5));
    fused.getParam("0_beta").assign(Nd4j.randn(DataType.FLOAT, OUT).muli(0.1));
    fused.getParam("0_mean").assign(Nd4j.randn(DataType.FLOAT, OUT).muli(0.1));
    fused.getParam("0_var").assign(Nd4j.rand(DataType.FLOAT, OUT).addi(0.5));
    plain.getParam("0_W").assign(fused.getParam("0_W"));
    plain.getParam("1_gamma").assign(fused.getParam("0_gamma"));
    plain.getParam("1_beta").assign(fused.getParam("0_beta"));
    plain.getParam("1_mean").assign(fused.getParam("0_mean"));
    plain.getParam("1_var").assign(fused.getParam("0_var"));
    plain.getParam("4_W").assign(fused.getParam("2_W"));
    plain.getParam("4_b").assign(fused.getParam("2_b"));
  }

  private static void assertClose(INDArray expected, INDArray actual, double tolerance, String what) {
    assertArrayEquals(expected.shape(), actual.shape(), what + ": shape");
    double scale = Math.max(1e-3, expected.norm2Number().doubleValue() / Math.sqrt(expected.length()));
    double worst = expected.sub(actual).amaxNumber().doubleValue() / scale;
    assertTrue(worst <= tolerance * 10, what + ": largest difference " + worst + " of the typical magnitude (tolerance " + tolerance * 10 + ")");
  }
}
