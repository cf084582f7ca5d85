package sparkssl.model.loss;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static sparkssl.model.Fixtures.matrix;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.shade.jackson.databind.JsonNode;
import org.nd4j.shade.jackson.databind.ObjectMapper;

/**
 * Every method's loss in double precision: value and gradients against PyTorch
 * (src/test/python/losses_fixture.py writes fixtures/losses.json), and gradients against central
 * finite differences of the SameDiff graph itself.
 */
class SslLossesTest {
  static {
    SameDiffChatter.silence();
  }

  static Stream<JsonNode> cases() throws IOException {
    try (InputStream in = SslLossesTest.class.getResourceAsStream("/fixtures/losses.json")) {
      List<JsonNode> all = new ArrayList<>();
      new ObjectMapper().readTree(in).get("cases").forEach(all::add);
      return all.stream();
    }
  }

  @Test
  void fixtureCoversEveryLoss() throws IOException {
    assertEquals(List.of("barlow", "byol", "dino", "ntxent", "simsiam", "vicreg"),
        cases().map(c -> c.get("loss_name").asText()).distinct().sorted().toList());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void valueAndGradientsMatchPyTorch(JsonNode c) {
    Graph g = Graph.of(c);
    String where = c.get("loss_name").asText() + " " + c.get("params");
    double value = g.loss.eval().getDouble(0);
    assertEquals(c.get("loss").asDouble(), value, 1e-9 * Math.max(1, Math.abs(value)), where);
    Map<String, INDArray> grads = g.gradients();
    c.get("grads").fieldNames().forEachRemaining(name -> {
      double diff = grads.get(name).sub(matrix(c.get("grads").get(name))).amaxNumber().doubleValue();
      assertEquals(0.0, diff, 1e-9, where + ": max |d loss/d " + name + " - torch's|");
    });
  }

  /**
   * Central differences at 12 random entries of each input the loss is differentiated through (a
   * stop-gradient input's zero gradient is checked against PyTorch above).
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void gradientsMatchFiniteDifferences(JsonNode c) {
    Graph g = Graph.of(c);
    Map<String, INDArray> grads = g.gradients();
    List<String> detached = new ArrayList<>();
    c.get("detached").forEach(d -> detached.add(d.asText()));
    double eps = 1e-6;
    Random random = new Random(7);
    for (String name : g.differentiable) {
      if (detached.contains(name)) {
        continue;
      }
      INDArray x = g.sd.getVariable(name).getArr();
      INDArray analytic = grads.get(name);
      for (int k = 0; k < 12; k++) {
        long i = random.nextInt((int) x.length());
        double original = x.getDouble(i);
        x.putScalar(i, original + eps);
        double up = g.loss.eval().getDouble(0);
        x.putScalar(i, original - eps);
        double down = g.loss.eval().getDouble(0);
        x.putScalar(i, original);
        double numeric = (up - down) / (2 * eps);
        double a = analytic.getDouble(i);
        assertTrue(Math.abs(numeric - a) <= 1e-6 + 1e-5 * Math.abs(numeric),
            c.get("loss_name") + " d/d" + name + "[" + i + "]: analytic " + a + " numeric " + numeric);
      }
    }
  }

  /** One fixture case as a SameDiff graph: differentiable inputs are variables, the rest constants. */
  private record Graph(SameDiff sd, SDVariable loss, List<String> differentiable) {
    static Graph of(JsonNode c) {
      SameDiff sd = SameDiff.create();
      List<String> differentiable = new ArrayList<>();
      c.get("grads").fieldNames().forEachRemaining(differentiable::add);
      Map<String, SDVariable> in = new LinkedHashMap<>();
      c.get("inputs").fields().forEachRemaining(e -> in.put(e.getKey(), differentiable.contains(e.getKey())
          ? sd.var(e.getKey(), matrix(e.getValue())) : sd.constant(e.getKey(), matrix(e.getValue()))));
      JsonNode p = c.get("params");
      SDVariable loss = switch (c.get("loss_name").asText()) {
        case "ntxent" -> new NtXentLoss(p.get("tau").asDouble(), p.get("decoupled").asBoolean())
            .loss(sd, ViewOutputs.of(in.get("z1"), in.get("z2")));
        case "vicreg" -> VicRegLoss.paperDefaults().loss(sd, ViewOutputs.of(in.get("x"), in.get("y")));
        case "barlow" -> new BarlowTwinsLoss(p.get("lambd").asDouble()).loss(sd, ViewOutputs.of(in.get("z1"), in.get("z2")));
        case "byol" -> new ByolLoss().loss(sd, new ViewOutputs(List.of(), List.of(in.get("p1"), in.get("p2")),
            List.of(in.get("t1"), in.get("t2"))));
        case "simsiam" -> new SimSiamLoss(true).loss(sd, new ViewOutputs(List.of(in.get("z1"), in.get("z2")),
            List.of(in.get("p1"), in.get("p2")), List.of()));
        case "dino" -> new DinoLoss(p.get("student_temp").asDouble()).loss(sd, new ViewOutputs(
            List.of(in.get("s0"), in.get("s1"), in.get("s2"), in.get("s3")), List.of(), List.of(in.get("q0"), in.get("q1"))));
        default -> throw new IllegalArgumentException(c.get("loss_name").asText());
      };
      sd.setLossVariables(loss);
      return new Graph(sd, loss, differentiable);
    }

    Map<String, INDArray> gradients() {
      return sd.calculateGradients(Map.of(), differentiable.toArray(String[]::new));
    }
  }

}
