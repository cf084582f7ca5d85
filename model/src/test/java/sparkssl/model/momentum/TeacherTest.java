package sparkssl.model.momentum;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static sparkssl.model.Fixtures.matrix;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.shade.jackson.databind.JsonNode;
import org.nd4j.shade.jackson.databind.ObjectMapper;
import sparkssl.model.ModelOptions;
import sparkssl.model.SslNetwork;

/** The teacher's pieces: DINO's centring and center update against PyTorch, the EMA, the schedule. */
class TeacherTest {
  @Test
  void dinoCentringMatchesPyTorch() throws Exception {
    int checked = 0;
    try (InputStream in = getClass().getResourceAsStream("/fixtures/losses.json")) {
      for (JsonNode c : new ObjectMapper().readTree(in).get("cases")) {
        if (!c.has("teacher")) {
          continue;
        }
        JsonNode t = c.get("teacher");
        INDArray center = matrix(t.get("center"));
        double temperature = t.get("teacher_temp").asDouble();
        for (int v = 0; v < 2; v++) {
          INDArray probs = Teacher.centredSoftmax(matrix(t.get("t" + v)), center, temperature);
          assertEquals(0.0, probs.sub(matrix(c.get("inputs").get("q" + v))).amaxNumber().doubleValue(), 1e-12);
        }
        Teacher.moveCenter(center, Nd4j.vstack(matrix(t.get("t0")), matrix(t.get("t1"))), t.get("center_momentum").asDouble());
        assertEquals(0.0, center.sub(matrix(t.get("next_center"))).amaxNumber().doubleValue(), 1e-12);
        checked++;
      }
    }
    assertEquals(2, checked);
  }

  @Test
  void followsTheStudentAtTheScheduledMomentum() {
    ModelOptions o = new ModelOptions();
    o.method = "byol";
    o.convWidths = new int[] {2, 3, 4};
    o.imageSize = 6;
    var student = SslNetwork.create(o);
    TeacherSettings s = TeacherSettings.projections(0.99, 10);
    Teacher teacher = Teacher.of(student, s);
    INDArray before = teacher.state().dup();
    student.params().addi(1.0);
    double tau = teacher.follow(student, 4);
    assertEquals(1 - 0.01 * (Math.cos(Math.PI * 4 / 10) + 1) / 2, tau, 1e-15);
    INDArray expected = before.mul(tau).addi(student.params().reshape(before.shape()).mul(1 - tau));
    assertEquals(0.0, teacher.state().sub(expected).amaxNumber().doubleValue(), 1e-6);
    assertEquals(0.99, s.momentumAt(0), 1e-15);
    assertEquals(1.0, s.momentumAt(10), 0);
    assertTrue(s.momentumAt(5) > 0.99 && s.momentumAt(5) < 1);
  }

}
