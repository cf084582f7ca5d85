package sparkssl.model.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import java.io.InputStream;
import java.util.stream.Stream;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.lossfunctions.LossFunctions;
import org.nd4j.shade.jackson.databind.JsonNode;
import org.nd4j.shade.jackson.databind.ObjectMapper;

/**
 * Each optimiser against PyTorch: five steps of a linear layer under mean squared error, in double
 * precision, from the same data and start weights ({@code src/test/python/optim_fixture.py}). This runs
 * DL4J's whole update path (regularization order, per-minibatch division, bias exclusion).
 */
class OptimizerOptionsTest {

  static Stream<Arguments> cases() throws Exception {
    JsonNode root = fixture();
    return Stream.iterate(0, i -> i + 1).limit(root.get("cases").size())
        .map(i -> Arguments.of(root.get("cases").get(i).get("kind").asText() + " wd "
            + root.get("cases").get(i).get("weight_decay").asDouble(), i));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void stepsMatchPyTorch(String name, int index) throws Exception {
    JsonNode root = fixture();
    JsonNode c = root.get("cases").get(index);
    OptimizerOptions o = new OptimizerOptions();
    o.kind = OptimizerOptions.Kind.valueOf(c.get("kind").asText());
    o.learningRate = c.get("lr").asDouble();
    o.weightDecay = c.get("weight_decay").asDouble();
    o.momentum = c.get("momentum").asDouble();
    o.larsEta = c.get("eta").asDouble();
    MultiLayerConfiguration conf = o.applyTo(new NeuralNetConfiguration.Builder())
        .dataType(DataType.DOUBLE)
        .list()
        .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MSE).nIn(3).nOut(2).activation(Activation.IDENTITY).build())
        .build();
    o.regularize(conf);
    MultiLayerNetwork net = new MultiLayerNetwork(conf);
    net.init();
    net.getLayer(0).setParam("W", matrix(root.get("w0")));
    net.getLayer(0).setParam("b", matrix(root.get("b0")).reshape(1, 2));
    INDArray x = matrix(root.get("x"));
    INDArray y = matrix(root.get("y"));
    // DL4J's Adam adds epsilon before its bias correction, PyTorch's after: ~1e-6 apart after a few steps
    double tolerance = o.kind == OptimizerOptions.Kind.adam || o.kind == OptimizerOptions.Kind.adamw ? 1e-5 : 1e-10;
    for (int step = 0; step < 5; step++) {
      net.fit(x, y);
      JsonNode expected = c.get("steps").get(step);
      assertClose(matrix(expected.get("w")), net.getLayer(0).getParam("W"), tolerance, name + " W after step " + (step + 1));
      assertClose(matrix(expected.get("b")).reshape(1, 2), net.getLayer(0).getParam("b"), tolerance,
          name + " b after step " + (step + 1));
    }
  }

  @Test
  void warmupThenCosine() {
    // warmup 2 of 6 steps: (t+1)/2 of the peak, then half a cosine period down to zero
    double[] expected = {0.5, 1.0, 1.0, 0.5 * (1 + Math.cos(Math.PI / 4)), 0.5, 0.5 * (1 + Math.cos(3 * Math.PI / 4)), 0};
    for (int t = 0; t < expected.length; t++) {
      assertEquals(expected[t], WarmupCosineSchedule.at(1.0, 2, 6, t), 1e-12, "step " + t);
      assertEquals(expected[t], new WarmupCosineSchedule(1.0, 2, 6).valueAt(t, 0), 1e-12);
    }
    assertEquals(0.5 * (1 + Math.cos(Math.PI * 3 / 10)), WarmupCosineSchedule.at(1.0, 0, 10, 3), 1e-12, "no warmup");
  }

  @Test
  void scheduleAndLarsSurviveTheJsonRoundTrip() {
    OptimizerOptions o = new OptimizerOptions();
    o.kind = OptimizerOptions.Kind.lars;
    o.weightDecay = 1e-4;
    o.schedule = OptimizerOptions.Schedule.cosine;
    o.warmupSteps = 3;
    o.totalSteps = 30;
    MultiLayerConfiguration conf = o.applyTo(new NeuralNetConfiguration.Builder()).list()
        .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MSE).nIn(3).nOut(2).build())
        .build();
    o.regularize(conf);
    MultiLayerConfiguration back = MultiLayerConfiguration.fromJson(conf.toJson());
    BaseLayer layer = (BaseLayer) back.getConf(0).getLayer();
    for (int t : new int[] {0, 2, 3, 17, 29}) {
      assertEquals(o.learningRateAt(t), layer.getIUpdater().getLearningRate(t, 0), 1e-15);
    }
    assertEquals(1, layer.getRegularization().size(), "LARS once: " + layer.getRegularization());
    assertInstanceOf(LarsRegularization.class, layer.getRegularization().get(0));
    assertEquals(0, layer.getRegularizationBias().size(), "biases get no LARS and no weight decay");
  }

  private static void assertClose(INDArray expected, INDArray actual, double tolerance, String what) {
    double diff = expected.sub(actual).amaxNumber().doubleValue();
    assertEquals(0, diff, tolerance, what + ": expected " + expected + " got " + actual);
  }

  private static INDArray matrix(JsonNode node) {
    if (!node.get(0).isArray()) {
      double[] v = new double[node.size()];
      for (int i = 0; i < v.length; i++) {
        v[i] = node.get(i).asDouble();
      }
      return Nd4j.create(v, new long[] {v.length}, DataType.DOUBLE);
    }
    double[][] m = new double[node.size()][node.get(0).size()];
    for (int i = 0; i < m.length; i++) {
      for (int j = 0; j < m[i].length; j++) {
        m[i][j] = node.get(i).get(j).asDouble();
      }
    }
    return Nd4j.create(m);
  }

  private static JsonNode fixture() throws Exception {
    try (InputStream in = OptimizerOptionsTest.class.getResourceAsStream("/fixtures/optimizers.json")) {
      return new ObjectMapper().readTree(in);
    }
  }
}
