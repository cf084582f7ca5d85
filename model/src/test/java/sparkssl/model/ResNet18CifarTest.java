package sparkssl.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

class ResNet18CifarTest {

  private static ModelOptions cifar() {
    ModelOptions o = new ModelOptions();
    o.channels = 3;
    o.imageSize = 32;
    return o;
  }

  /** conv k x k without bias, then BN (scale + shift). */
  private static long convBn(int k, long in, long out) {
    return k * k * in * out + 2 * out;
  }

  /** The architecture written out: stem, four stages of two BasicBlocks, projector 512-128-64. */
  private static long expectedTrainable(long channels) {
    long n = convBn(3, channels, 64);
    long in = 64;
    for (long width : new long[] {64, 128, 256, 512}) {
      for (int block = 0; block < 2; block++) {
        n += convBn(3, in, width) + convBn(3, width, width);
        if (in != width || (width > 64 && block == 0)) {
          n += convBn(1, in, width);
        }
        in = width;
      }
    }
    return n + (512 * 128 + 128) + (128 * 64 + 64);
  }

  @Test
  void parameterCountMatchesTheArchitectureAndTorchvision() {
    ComputationGraph net = ResNet18Cifar.create(cifar());
    long trainable = ParameterCount.trainable(net.getLayers());
    assertEquals(expectedTrainable(3), trainable);
    // "params" printed by: /usr/bin/python3 deploy/bench/torch_step.py --model resnet18 --pairs 2 --warmup 0 --steps 1
    assertEquals(11_242_752L, trainable);
    // plus running mean and variance of the 4800 batch-norm channels, which DL4J counts as parameters
    assertEquals(trainable + 2 * 4800, net.numParams());
  }

  @Test
  void runsOnTheFastPath() {
    FastPathTest.assumeCpuBackend();
    FastPath.Status status = FastPath.status(ResNet18Cifar.create(cifar()));
    assertTrue(status.active(), status.toString());
    assertEquals(20, status.convLayers(), "stem + 16 in blocks + 3 shortcut convs");
    assertEquals(20, status.bnLayers());
  }

  @Test
  void trainingStepOnTwoPairsGivesFiniteLossAndGradients() {
    ComputationGraph net = ResNet18Cifar.create(cifar());
    Nd4j.getRandom().setSeed(7);
    net.setInputs(Nd4j.rand(DataType.FLOAT, 2, 6, 32, 32));
    net.setLabels(Nd4j.zeros(DataType.FLOAT, 2, 1));
    net.computeGradientAndScore();
    double loss = net.score();
    assertTrue(Double.isFinite(loss) && loss > 0, "loss " + loss);
    double g = net.gradient().gradient().norm2Number().doubleValue();
    assertTrue(Double.isFinite(g) && g > 0, "gradient norm " + g);
  }
}
