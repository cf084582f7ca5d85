package sparkssl.model.layers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.deeplearning4j.gradientcheck.GradientCheckUtil;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.junit.jupiter.api.Test;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.NoOp;
import sparkssl.model.DoublePrecision;
import sparkssl.model.method.MethodOptions;

/**
 * Double-precision finite-difference checks of the views-to-batch preprocessors and the NT-Xent
 * output layer inside a network. A 1x1 convolution before ViewsToBatch makes its backward pass count: its
 * weight gradients are only right if ViewsToBatch routes the gradient back to the right channels.
 */
class SslLayersGradientCheckTest {

  @Test
  void viewsToBatchOrdersViewMajor() {
    // x[n, v] = 10 n + v for N=3 images, 2 views of 1 channel, 1x1 pixels
    INDArray x = Nd4j.create(new double[] {0, 1, 10, 11, 20, 21}, new long[] {3, 2, 1, 1});
    INDArray out = new ViewsToBatch(2, 1, 1, 1).preProcess(x, 3, LayerWorkspaceMgr.noWorkspaces());
    assertArrayEquals(new long[] {6, 1, 1, 1}, out.shape());
    assertArrayEquals(new double[] {0, 10, 20, 1, 11, 21}, out.reshape(6).toDoubleVector(), 0);
  }

  @Test
  void batchToViewsInvertsViewsToBatch() {
    INDArray x = Nd4j.rand(DataType.DOUBLE, 4, 6, 1, 1); // N=4, 2 views x 3 channels
    LayerWorkspaceMgr mgr = LayerWorkspaceMgr.noWorkspaces();
    INDArray batch = new ViewsToBatch(2, 3, 1, 1).preProcess(x, 4, mgr).reshape(8, 3);
    INDArray back = new BatchToViews(2, 3).preProcess(batch, 4, mgr);
    assertTrue(x.reshape(4, 6).equalsWithEps(back, 0));
    // and the backward passes are the transposes of the forward permutations
    assertTrue(new BatchToViews(2, 3).backprop(back, 4, mgr).equalsWithEps(batch, 0));
    assertTrue(new ViewsToBatch(2, 3, 1, 1).backprop(batch.reshape(8, 3, 1, 1), 4, mgr).equalsWithEps(x, 0));
  }

  @Test
  void gradientsMatchFiniteDifferences() {
    try (DoublePrecision ignored = DoublePrecision.set()) {
      int c = 2;
      int hw = 5;
      int proj = 5;
      MultiLayerNetwork net = new MultiLayerNetwork(new NeuralNetConfiguration.Builder()
          .seed(7)
          .dataType(DataType.DOUBLE)
          .updater(new NoOp())
          .weightInit(WeightInit.XAVIER)
          .convolutionMode(ConvolutionMode.Same)
          .list()
          .layer(new ConvolutionLayer.Builder(1, 1).nOut(2 * c).activation(Activation.IDENTITY).build())
          .inputPreProcessor(1, new ViewsToBatch(2, c, hw, hw))
          .layer(new ConvolutionLayer.Builder(3, 3).nOut(4).activation(Activation.TANH).build())
          .layer(new GlobalPoolingLayer.Builder(PoolingType.AVG).build())
          .layer(new DenseLayer.Builder().nOut(6).activation(Activation.TANH).build())
          .layer(new DenseLayer.Builder().nOut(proj).activation(Activation.IDENTITY).build())
          .inputPreProcessor(5, new BatchToViews(2, proj))
          .layer(new SslLossLayer("simclr", simclrAtHalf(), 2, proj, false, 0))
          .setInputType(InputType.convolutional(hw, hw, 2L * c))
          .build());
      net.init();
      Nd4j.getRandom().setSeed(11);
      INDArray input = Nd4j.rand(DataType.DOUBLE, 4, 2 * c, hw, hw);
      INDArray labels = Nd4j.zeros(DataType.DOUBLE, 4, 1);

      boolean ok = GradientCheckUtil.checkGradients(new GradientCheckUtil.MLNConfig()
          .net(net).input(input).labels(labels)
          .epsilon(1e-6).maxRelError(1e-5).minAbsoluteError(1e-9)
          .print(GradientCheckUtil.PrintMode.FAILURES_ONLY));
      assertTrue(ok, "finite-difference gradient check failed (see log)");
    }
  }

  private static MethodOptions simclrAtHalf() {
    MethodOptions o = new MethodOptions();
    o.temperature = 0.5;
    return o;
  }
}
