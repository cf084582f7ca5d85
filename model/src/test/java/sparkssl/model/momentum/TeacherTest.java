package sparkssl.model.momentum;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static sparkssl.model.Fixtures.matrix;

import java.io.InputStream;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.shade.jackson.databind.JsonNode;
import org.nd4j.shade.jackson.databind.ObjectMapper;
import sparkssl.model.Devices;
import sparkssl.model.ModelOptions;
import sparkssl.model.SslNetwork;
import sparkssl.model.blocks.ConvLayers;
import sparkssl.model.method.Methods;

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

  /**
   * A DINO teacher of fused layers moved to DL4J's own (a run resumed on GPU executors) gives the same
   * centred targets. Without batch norm the convolution's bias sits before its weights in DL4J's
   * layout and after them in the fused one, so copying the flat state as it is would be wrong.
   */
  @Test
  void movesToTheOtherConvolutionLayersWithItsParametersAndCenter() {
    assumeFalse(Devices.cuda(), "fused layers run on the CPU backend");
    ModelOptions o = new ModelOptions();
    o.method = "dino";
    o.convWidths = new int[] {2, 3, 4};
    o.imageSize = 6;
    o.batchNorm = false;
    TeacherSettings settings = Methods.get(o.method).teacher(o.methodOptions, 10).orElseThrow();
    Teacher fused = Teacher.of(SslNetwork.create(o, ConvLayers.FUSED), settings);
    Nd4j.getRandom().setSeed(3);
    fused.load(Nd4j.rand(DataType.FLOAT, 1, fused.state().length()).subi(0.5));
    Teacher plain = fused.with(ConvLayers.PLAIN);
    assertTrue(fused.state().sub(plain.state()).amaxNumber().doubleValue() > 0.1, "the flat layouts differ");
    INDArray views = Nd4j.rand(DataType.FLOAT, 4, 2, 6, 6);
    assertEquals(0.0, fused.targets(views).sub(plain.targets(views)).amaxNumber().doubleValue(), 1e-5);
  }

}
