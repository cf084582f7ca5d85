package sparkssl.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

class SslNetworkTest {

  @Test
  void trainsEmbedsAndRoundTrips() throws Exception {
    ModelOptions o = new ModelOptions();
    o.imageSize = 12;
    o.convWidths = new int[] {8, 8, 16};
    o.projectorHidden = 16;
    o.projectionSize = 8;
    ComputationGraph net = SslNetwork.create(o);

    Nd4j.getRandom().setSeed(3);
    INDArray pairs = Nd4j.rand(DataType.FLOAT, 16, 2, 12, 12);
    DataSet batch = new DataSet(pairs, Nd4j.zeros(DataType.FLOAT, 16, 1));
    net.fit(batch);
    double first = net.score();
    for (int i = 0; i < 30; i++) {
      net.fit(batch);
    }
    assertTrue(net.score() < first, "loss on a fixed batch should fall: " + first + " -> " + net.score());

    INDArray images = Nd4j.rand(DataType.FLOAT, 5, 1, 12, 12);
    INDArray emb = SslNetwork.embed(net, images);
    assertArrayEquals(new long[] {5, 16}, emb.shape());

    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    ModelIO.write(net, buf);
    ComputationGraph back = ModelIO.read(new ByteArrayInputStream(buf.toByteArray()));
    assertTrue(emb.equalsWithEps(SslNetwork.embed(back, images), 1e-6), "reloaded model embeds differently");
  }
}
