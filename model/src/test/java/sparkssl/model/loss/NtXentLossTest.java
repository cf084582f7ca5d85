package sparkssl.model.loss;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.InputStream;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.shade.jackson.databind.JsonNode;
import org.nd4j.shade.jackson.databind.ObjectMapper;

/** NT-Xent against values computed with PyTorch (src/test/python/ntxent_fixture.py). */
class NtXentLossTest {

  @Test
  void lossAndGradientMatchPyTorch() throws Exception {
    JsonNode cases;
    try (InputStream in = getClass().getResourceAsStream("/fixtures/ntxent.json")) {
      cases = new ObjectMapper().readTree(in).get("cases");
    }
    assertEquals(5, cases.size());
    for (JsonNode c : cases) {
      INDArray z1 = matrix(c.get("z1"));
      INDArray z2 = matrix(c.get("z2"));
      double tau = c.get("tau").asDouble();

      SameDiff sd = SameDiff.create();
      SDVariable v1 = sd.var("z1", z1);
      SDVariable v2 = sd.constant("z2", z2);
      SDVariable loss = new NtXentLoss(tau).loss(sd, v1, v2);
      sd.setLossVariables(loss);
      double value = loss.eval().getDouble(0);
      Map<String, INDArray> grads = sd.calculateGradients(Map.of(), "z1");

      String where = "case n=" + c.get("n") + " tau=" + tau;
      assertEquals(c.get("loss").asDouble(), value, 1e-9 * Math.max(1, Math.abs(value)), where);
      INDArray expectedGrad = matrix(c.get("grad_z1"));
      double maxDiff = grads.get("z1").sub(expectedGrad).amaxNumber().doubleValue();
      assertEquals(0.0, maxDiff, 1e-9, where + ": max |grad - torch grad|");
    }
  }

  @Test
  void rejectsNonPositiveTemperature() {
    org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> new NtXentLoss(0));
  }

  private static INDArray matrix(JsonNode rows) {
    double[][] m = new double[rows.size()][];
    for (int i = 0; i < m.length; i++) {
      JsonNode r = rows.get(i);
      m[i] = new double[r.size()];
      for (int j = 0; j < m[i].length; j++) {
        m[i][j] = r.get(j).asDouble();
      }
    }
    return Nd4j.create(m).castTo(DataType.DOUBLE);
  }
}
