package sparkssl.model.method;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.StreamSupport;
import org.deeplearning4j.gradientcheck.GradientCheckUtil;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.samediff.AbstractSameDiffLayer;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.NoOp;
import sparkssl.model.DoublePrecision;
import sparkssl.model.ModelIO;
import sparkssl.model.ModelOptions;
import sparkssl.model.SslHead;
import sparkssl.model.SslNetwork;
import sparkssl.model.layers.SslLossLayer;
import sparkssl.model.momentum.Teacher;

/**
 * Every registered method builds a network that trains end to end: double-precision finite-difference
 * check of the whole network (encoder, the method's heads, the loss layer's view and target
 * slicing), and the configuration survives save and load.
 */
class MethodNetworksTest {
  static List<String> methods() {
    return StreamSupport.stream(Methods.names().spliterator(), false).toList();
  }

  @Test
  void registryHasTheCookbooksSixFamilies() {
    assertEquals(List.of("simclr", "byol", "simsiam", "dino", "vicreg", "barlow"), methods());
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Methods.get("mocov3"));
    assertTrue(e.getMessage().contains("simclr, byol, simsiam, dino, vicreg, barlow"), e.getMessage());
  }

  @ParameterizedTest
  @MethodSource("methods")
  void gradientsMatchFiniteDifferences(String method) {
    try (DoublePrecision ignored = DoublePrecision.set()) {
      ModelOptions o = tiny(method);
      // a stop-gradient makes the analytic gradient differ from the loss's derivative on purpose: check
      // SimSiam's network without it here (SslLossesTest checks the stop-gradient against PyTorch)
      o.methodOptions.stopGradient = false;
      ComputationGraph net = withoutUpdater(SslNetwork.create(o, DataType.DOUBLE));
      Nd4j.getRandom().setSeed(11);
      int n = 6;
      INDArray input = Nd4j.rand(DataType.DOUBLE, n, 2, 6, 6);
      INDArray labels = labels(net, o, input);
      boolean ok = GradientCheckUtil.checkGradients(new GradientCheckUtil.GraphConfig()
          .net(net).inputs(new INDArray[] {input}).labels(new INDArray[] {labels})
          .epsilon(1e-6).maxRelError(1e-4).minAbsoluteError(1e-8)
          .subset(true).maxPerParam(6).excludeParams(runningStatistics(net))
          .print(GradientCheckUtil.PrintMode.FAILURES_ONLY));
      assertTrue(ok, method + ": finite-difference gradient check failed (see log)");
    }
  }

  @ParameterizedTest
  @MethodSource("methods")
  void configurationSurvivesSaveAndLoad(String method) throws Exception {
    ModelOptions o = tiny(method);
    o.methodOptions.temperature = 0.3;
    ComputationGraph net = SslNetwork.create(o);
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    ModelIO.write(net, bytes);
    ComputationGraph back = ModelIO.read(new ByteArrayInputStream(bytes.toByteArray()));
    SslLossLayer loss = (SslLossLayer) back.getLayer(SslHead.LOSS).conf().getLayer();
    assertEquals(method, loss.getMethod());
    assertEquals(0.3, loss.getOptions().temperature);
    assertArrayEquals(net.params().toFloatVector(), back.params().toFloatVector());
  }

  /** Batch norm's running mean and variance: not trained by gradient (DL4J's "gradient" is their update). */
  private static Set<String> runningStatistics(ComputationGraph net) {
    return net.paramTable().keySet().stream()
        .filter(k -> k.endsWith("_mean") || k.endsWith("_var") || k.endsWith("_log10stdev"))
        .collect(Collectors.toSet());
  }

  /** The same network with every layer's updater off, as DL4J's gradient check requires. */
  private static ComputationGraph withoutUpdater(ComputationGraph net) {
    ComputationGraphConfiguration conf = net.getConfiguration().clone();
    conf.getVertices().values().stream().filter(v -> v instanceof LayerVertex).forEach(v -> {
      Layer layer = ((LayerVertex) v).getLayerConf().getLayer();
      if (layer instanceof BaseLayer b) {
        b.setIUpdater(new NoOp());
      } else if (layer instanceof AbstractSameDiffLayer s) {
        s.setUpdater(new NoOp());
      }
    });
    ComputationGraph plain = new ComputationGraph(conf);
    plain.init(net.params(), true);
    return plain;
  }

  /** Teacher targets where the method has a teacher (any constants do for a gradient check). */
  private static INDArray labels(ComputationGraph net, ModelOptions o, INDArray input) {
    INDArray position = Nd4j.zeros(DataType.DOUBLE, input.size(0), 1);
    return Methods.get(o.method).teacher(o.methodOptions, 100)
        .map(s -> Nd4j.hstack(position, Teacher.of(net, s).targets(input)))
        .orElse(position);
  }

  static ModelOptions tiny(String method) {
    ModelOptions o = new ModelOptions();
    o.method = method;
    o.imageSize = 6;
    o.convWidths = new int[] {2, 3, 4};
    o.projectorHidden = 6;
    o.projectionSize = 5;
    o.predictorHidden = 4;
    o.prototypes = 7;
    o.optimizer.learningRate = 0.01;
    return o;
  }
}
