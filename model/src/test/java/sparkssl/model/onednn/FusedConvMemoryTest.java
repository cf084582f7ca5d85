package sparkssl.model.onednn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import sparkssl.model.FastPath;

/**
 * What the fused layer keeps in native memory, which the garbage collector does not see: evicted
 * primitive sets are freed when evicted, an ended thread's scratch buffers when another thread
 * allocates, and a forward-only layer (an EMA teacher's) builds nothing for a backward pass.
 */
class FusedConvMemoryTest {
  private static final int SIDE = 6;

  @Test
  void theLeastRecentlyUsedShapeBeyondFourIsClosedAndRebuiltOnReturn() {
    FastPath.enable();
    MultiLayerNetwork net = FusedConvTest.network(FusedConvTest.fusedLayer(3, 1, -1, true), SIDE);
    FusedConvLayer layer = (FusedConvLayer) net.getLayer(0);
    INDArray x = input(2);
    INDArray before = net.output(x, true);
    FusedConvPrimitives first = layer.primitivesFor(x.shape(), true);
    for (int n = 3; n <= 6; n++) {
      net.output(input(n), true);
    }
    assertTrue(first.closed(), "the fifth new shape evicts the first");
    assertFalse(layer.primitivesFor(input(6).shape(), true).closed(), "the newest is kept");
    assertEquals(before, net.output(x, true), "the evicted shape, rebuilt");
  }

  @Test
  void aForwardOnlyLayerComputesTheTrainingOutputAndRefusesABackwardPass() {
    FastPath.enable();
    MultiLayerNetwork student = FusedConvTest.network(FusedConvTest.fusedLayer(3, 2, -1, true), SIDE);
    MultiLayerNetwork teacher = student.clone();
    ((FusedConvLayer) teacher.getLayer(0)).forwardOnly();
    INDArray x = input(4);
    INDArray expected = student.output(x, true);
    INDArray actual = teacher.output(x, true);
    assertTrue(expected.equalsWithEps(actual, 1e-5), "batch statistics as in training: " + expected + " vs " + actual);
    IllegalStateException e = assertThrows(IllegalStateException.class,
        () -> teacher.calculateGradients(x, Nd4j.zeros(DataType.FLOAT, 4, 2), null, null));
    assertTrue(e.getMessage().contains("forward only"), e.getMessage());
  }

  @Test
  void anEndedThreadsScratchBuffersAreFreedWhenAnotherThreadAllocates() throws InterruptedException {
    long big = 64L << 20;
    onNewThread(() -> Scratch.get("test", big));
    assertTrue(Scratch.bytesHeld() >= big, "held while no thread has allocated since: " + Scratch.bytesHeld());
    onNewThread(() -> Scratch.get("test", 1024));
    // other tests' buffers are tiny next to 64 MiB
    assertTrue(Scratch.bytesHeld() < big, "the ended thread's buffer is freed: " + Scratch.bytesHeld());
  }

  private static void onNewThread(Runnable r) throws InterruptedException {
    Thread t = new Thread(r);
    t.start();
    t.join();
  }

  private static INDArray input(int n) {
    Nd4j.getRandom().setSeed(n);
    return Nd4j.randn(DataType.FLOAT, n, 3, SIDE, SIDE);
  }
}
