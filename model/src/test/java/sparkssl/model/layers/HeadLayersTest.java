package sparkssl.model.layers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.util.Iterator;
import java.util.Map;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.learning.config.NoOp;
import org.nd4j.shade.jackson.databind.JsonNode;
import org.nd4j.shade.jackson.databind.ObjectMapper;
import sparkssl.model.DoublePrecision;
import sparkssl.model.Fixtures;

/**
 * The custom head layers inside DL4J (forward in training mode, then DL4J's own backward pass from an
 * external error) against the same layers written in PyTorch ({@code model/src/test/python/layers_fixture.py}):
 * output and the gradients of the input and of every parameter, in double precision. DL4J's doubling
 * of a non-output SameDiff layer's gradients (see {@link ExternalErrorsFix}) would show here as 2x.
 */
class HeadLayersTest {
  private static final double TOLERANCE = 1e-10;

  @ParameterizedTest
  @ValueSource(strings = {"predictor", "prototypes"})
  void matchesPyTorch(String name) throws IOException {
    try (DoublePrecision ignored = DoublePrecision.set()) {
      JsonNode c = fixture(name);
      JsonNode inputs = c.get("inputs");
      Iterator<String> keys = inputs.fieldNames();
      String inputName = keys.next();
      INDArray x = Fixtures.matrix(inputs.get(inputName));
      Layer layer = name.equals("predictor")
          ? new PredictorLayer(inputs.get("W1").get(0).size(), (int) x.size(1))
          : new PrototypeLayer(inputs.get("W").get(0).size());
      MultiLayerNetwork net = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().dataType(DataType.DOUBLE)
          .updater(new NoOp()).list().layer(layer).setInputType(InputType.feedForward(x.size(1))).build());
      net.init();
      Map<String, INDArray> params = net.getLayer(0).paramTable();
      assertEquals(inputs.size() - 1, params.size(), "the fixture sets every parameter");
      keys.forEachRemaining(k -> params.get(k).assign(Fixtures.matrix(inputs.get(k)).reshape(params.get(k).shape())));

      net.setInput(x);
      INDArray out = net.feedForward(true, false).get(1);
      assertClose(Fixtures.matrix(c.get("output")), out, name + " output");
      Pair<Gradient, INDArray> back = net.backpropGradient(Fixtures.matrix(c.get("r")), LayerWorkspaceMgr.noWorkspaces());
      assertClose(Fixtures.matrix(c.get("grads").get(inputName)), back.getSecond(), name + " gradient of " + inputName);
      for (String p : params.keySet()) {
        INDArray expected = Fixtures.matrix(c.get("grads").get(p)).reshape(params.get(p).shape());
        assertClose(expected, back.getFirst().getGradientFor("0_" + p), name + " gradient of " + p);
      }
    }
  }

  private static void assertClose(INDArray expected, INDArray actual, String what) {
    double diff = expected.sub(actual.reshape(expected.shape())).amaxNumber().doubleValue();
    assertTrue(diff <= TOLERANCE * Math.max(1, expected.amaxNumber().doubleValue()),
        what + ": max |PyTorch - DL4J| = " + diff);
  }

  private static JsonNode fixture(String layer) throws IOException {
    try (InputStream in = HeadLayersTest.class.getResourceAsStream("/fixtures/layers.json")) {
      for (JsonNode c : new ObjectMapper().readTree(in).get("cases")) {
        if (c.get("layer").asText().equals(layer)) {
          return c;
        }
      }
    }
    throw new IllegalStateException("no fixture for " + layer);
  }
}
