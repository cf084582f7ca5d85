package sparkssl.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import sparkssl.model.backbones.Backbones;

class BackbonesTest {
  /** SimCLR's projector on a D-wide embedding: Linear(D, 128) ReLU Linear(128, 64). */
  private static long projector(long d) {
    return d * 128 + 128 + 128 * 64 + 64;
  }

  private static ModelOptions colour(String backbone, int size) {
    ModelOptions o = new ModelOptions();
    o.backbone = backbone;
    o.channels = 3;
    o.imageSize = size;
    return o;
  }

  /**
   * Trainable parameters and batch-norm running statistics as torchvision counts them for its resnet18
   * and resnet50 without the classifier (11,176,512 and 9,600; 23,508,032 and 53,120, printed by
   * {@code torchvision.models.resnet18()} with {@code fc = Identity()}); the CIFAR stem swaps the 7x7
   * stem convolution (9,408) for a 3x3 one (1,728).
   */
  @ParameterizedTest
  @CsvSource({
      "resnet18-cifar, 32, 11168832, 9600, 512, 20",
      "resnet18, 64, 11176512, 9600, 512, 20",
      "resnet50, 64, 23508032, 53120, 2048, 53"})
  void resNetsAreTorchvisionsResNets(String backbone, int size, long torchvision, long runningStats, int width, int convs) {
    ComputationGraph net = SslNetwork.create(colour(backbone, size));
    long trainable = ParameterCount.trainable(net.getLayers());
    assertEquals(torchvision + projector(width), trainable);
    assertEquals(trainable + runningStats, net.numParams(), "DL4J keeps the running statistics among the parameters");
    INDArray mask = ParameterCount.trainableMask(net);
    assertEquals(trainable, mask.sumNumber().longValue(), "the trainable mask covers the trainable parameters");
    // the fourth parameter of a fused conv-BN layer (W, gamma, beta, mean, var) is its running mean
    INDArray mean = net.getLayers()[0].paramTable().values().stream().skip(3).findFirst().orElseThrow();
    INDArray masked = mask.reshape(-1).get(org.nd4j.linalg.indexing.NDArrayIndex.interval(mean.offset(), mean.offset() + mean.length()));
    assertEquals(0, masked.norm1Number().doubleValue(), "the first layer's running mean is masked out");
    assertArrayEquals(new long[] {2, width}, SslNetwork.embed(net, Nd4j.rand(DataType.FLOAT, 2, 3, size, size)).shape());
    FastPathTest.assumeCpuBackend();
    FastPath.Status status = FastPath.status(net);
    assertTrue(status.active(), status.toString());
    assertEquals(convs, status.fusedLayers(), "stem, blocks and shortcut conv-BN(-ReLU) layers, fused");
  }

  @Test
  void aResNetTrainingStepGivesAFiniteLossAndGradients() {
    ComputationGraph net = SslNetwork.create(colour("resnet18-cifar", 32));
    Nd4j.getRandom().setSeed(7);
    net.setInputs(Nd4j.rand(DataType.FLOAT, 2, 6, 32, 32));
    net.setLabels(Nd4j.zeros(DataType.FLOAT, 2, 1));
    net.computeGradientAndScore();
    double loss = net.score();
    assertTrue(Double.isFinite(loss) && loss > 0, "loss " + loss);
    double g = net.gradient().gradient().norm2Number().doubleValue();
    assertTrue(Double.isFinite(g) && g > 0, "gradient norm " + g);
  }

  /**
   * One block per width, the first at stride 1 and the rest at stride 2: 28 px comes out at 28, 14, 7
   * and 4 px; parameters are each block's 3x3 kernels and its batch norm's scale and shift.
   */
  @Test
  void theSmallCnnHasABlockPerWidth() {
    ModelOptions o = new ModelOptions();
    o.convWidths = new int[] {16, 32, 64, 96};
    ComputationGraph net = SslNetwork.create(o);
    long convs = 9L * (1 * 16 + 16 * 32 + 32 * 64 + 64 * 96) + 2L * (16 + 32 + 64 + 96);
    assertEquals(convs + projector(96), ParameterCount.trainable(net.getLayers()));
    INDArray features = net.feedForward(Nd4j.rand(DataType.FLOAT, 2, 2, 28, 28), false).get("conv4");
    assertArrayEquals(new long[] {4, 96, 4, 4}, features.shape(), "two views of two images, 96 channels at 4 x 4");
    assertArrayEquals(new long[] {2, 96}, SslNetwork.embed(net, Nd4j.rand(DataType.FLOAT, 2, 1, 28, 28)).shape());
  }

  @Test
  void convWidthsShapeTheSmallCnnsOnly() {
    assertNull(Backbones.convWidthsProblem("small-cnn", new int[] {64}));
    assertNull(Backbones.convWidthsProblem("small-cnn-deep", new int[] {8, 8, 8, 8, 8}));
    assertNull(Backbones.convWidthsProblem("resnet18", null), "not given");
    assertEquals("takes 1 to 5 widths of at least 1, got [8, 0]", Backbones.convWidthsProblem("small-cnn", new int[] {8, 0}));
    assertEquals("takes 1 to 5 widths of at least 1, got [1, 1, 1, 1, 1, 1]",
        Backbones.convWidthsProblem("small-cnn-deep", new int[] {1, 1, 1, 1, 1, 1}));
    assertEquals("shapes the small CNNs only (small-cnn, small-cnn-deep); resnet18-cifar has fixed widths",
        Backbones.convWidthsProblem("resnet18-cifar", Backbones.smallCnnWidths()));
  }

  /** Each small CNN builds its own widths unless given others; a ResNet records the default small CNN's, which it ignores. */
  @Test
  void convWidthsDefaultToTheBackbones() {
    assertArrayEquals(new int[] {32, 64, 128}, Backbones.convWidths("small-cnn", null));
    assertArrayEquals(new int[] {32, 64, 128, 256, 256}, Backbones.convWidths("small-cnn-deep", null));
    assertArrayEquals(new int[] {32, 64, 128}, Backbones.convWidths("resnet18", null));
    assertArrayEquals(new int[] {16, 32}, Backbones.convWidths("small-cnn-deep", new int[] {16, 32}));
  }

  /** The deep small CNN's five blocks take 28 px to 2 x 2 and end in a 256-d embedding. */
  @Test
  void theDeepSmallCnnHasFiveBlocks() {
    ModelOptions o = new ModelOptions();
    o.backbone = "small-cnn-deep";
    o.convWidths = Backbones.convWidths(o.backbone, null);
    ComputationGraph net = SslNetwork.create(o);
    INDArray features = net.feedForward(Nd4j.rand(DataType.FLOAT, 2, 2, 28, 28), false).get("conv5");
    assertArrayEquals(new long[] {4, 256, 2, 2}, features.shape(), "two views of two images, 256 channels at 2 x 2");
    assertArrayEquals(new long[] {2, 256}, SslNetwork.embed(net, Nd4j.rand(DataType.FLOAT, 2, 1, 28, 28)).shape());
  }

  @Test
  void aBackboneTooDeepForTheImagesOrUnknownIsNamed() {
    assertEquals("backbone resnet18 needs images of at least 32 px, got --image-size 28",
        Backbones.imageSizeProblem("resnet18", 28));
    assertNull(Backbones.imageSizeProblem("resnet18-cifar", 28));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Backbones.get("vit-b16"));
    assertEquals("unknown backbone 'vit-b16' (choose from small-cnn, small-cnn-deep, resnet18-cifar, resnet18, resnet50)", e.getMessage());
  }
}
