package sparkssl.model.onednn;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.layers.BaseLayer;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import sparkssl.model.Devices;

/** The runtime of {@link FusedConv}: one oneDNN primitive set per input shape and mode, reused from step to step. */
public class FusedConvLayer extends BaseLayer<FusedConv> {
  /** Training, inference and the odd last batch of an epoch fit; more shapes than this rebuild the oldest. */
  private static final int SHAPES_KEPT = 4;

  private final Map<String, FusedConvPrimitives> primitives = new LinkedHashMap<>(8, 0.75f, true) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<String, FusedConvPrimitives> eldest) {
      if (size() <= SHAPES_KEPT) {
        return false;
      }
      if (eldest.getValue() == lastTraining) {
        lastTraining = null;
      }
      eldest.getValue().close();
      return true;
    }
  };
  private FusedConvPrimitives lastTraining;
  /** Set for a network that never backpropagates: its training passes keep nothing for a backward pass. */
  private boolean forwardOnly;
  private INDArray batchMean;
  private INDArray batchVar;

  FusedConvLayer(NeuralNetConfiguration conf, DataType dataType) {
    super(conf, dataType);
    if (dataType != DataType.FLOAT) {
      throw new IllegalArgumentException("the fused convolution layer runs on oneDNN in float32 only, not "
          + dataType + "; build the network with DL4J's plain layers instead (see ConvLayers)");
    }
  }

  /**
   * For a network whose training passes are never followed by a backward pass (an EMA teacher): they
   * compute the batch statistics as training does, but keep neither the conv's output nor the ReLU's
   * workspace, and build no backward primitives. A backward pass after one fails.
   */
  public void forwardOnly() {
    forwardOnly = true;
  }

  @Override
  public Type type() {
    return Type.CONVOLUTIONAL;
  }

  @Override
  public boolean isPretrainLayer() {
    return false;
  }

  @Override
  public boolean hasBias() {
    return false;
  }

  /** DL4J divides gradients by the batch size in the updater; the running statistics' step is not a gradient. */
  @Override
  public boolean updaterDivideByMinibatch(String paramName) {
    return !FusedConvParams.isRunningStatistic(paramName);
  }

  @Override
  public void clearNoiseWeightParams() {
    // no weight noise on this layer
  }

  @Override
  public INDArray activate(boolean training, LayerWorkspaceMgr mgr) {
    // built anywhere, so that a model file converts to DL4J's own layers on a GPU; run on the CPU only
    if (Devices.cuda()) {
      throw new IllegalStateException("layer " + layerId() + " is a fused oneDNN convolution layer, which runs on ND4J's CPU backend"
          + " only, not on " + Devices.describeAll() + ": convert the network to DL4J's own layers (ConvLayerConversion.forThisJvm)");
    }
    assertInputSet(false);
    FusedConv c = layerConf();
    checkInput(input.shape());
    INDArray x = OneDnn.dense(input);
    FusedConvPrimitives p = primitivesFor(x.shape(), training);
    INDArray y = mgr.createUninitialized(ArrayType.ACTIVATIONS, DataType.FLOAT, p.outShape(), 'c');
    INDArray affine = FusedConvParams.affine(c, paramsFlattened);
    if (training) {
      ensureBatchStatistics();
      p.forward(x, params.get(FusedConvParams.WEIGHTS), affine, batchMean, batchVar, y);
      lastTraining = forwardOnly ? null : p;
    } else {
      p.forward(x, params.get(FusedConvParams.WEIGHTS), affine, params.get(FusedConvParams.MEAN),
          params.get(FusedConvParams.VAR), y);
    }
    return y;
  }

  @Override
  public Pair<Gradient, INDArray> backpropGradient(INDArray epsilon, LayerWorkspaceMgr mgr) {
    assertInputSet(true);
    if (lastTraining == null) {
      throw new IllegalStateException("layer " + layerId() + ": backprop without a training forward pass"
          + (forwardOnly ? " (the layer is forward only: its network is an EMA teacher)" : ""));
    }
    INDArray dx = mgr.createUninitialized(ArrayType.ACTIVATION_GRAD, DataType.FLOAT, input.shape(), 'c');
    lastTraining.backward(OneDnn.dense(input), OneDnn.dense(epsilon), gradientViews.get(FusedConvParams.WEIGHTS),
        FusedConvParams.affine(layerConf(), gradientsFlattened), dx);
    if (layerConf().isBatchNorm()) {
      // the running statistics take a NoOp updater, so DL4J's step (param -= gradient) has to move them to
      // decay * running + (1 - decay) * batch, as DL4J's own batch norm does
      double keep = 1 - layerConf().getDecay();
      runningStep(FusedConvParams.MEAN, batchMean, keep);
      runningStep(FusedConvParams.VAR, batchVar, keep);
    }
    Gradient g = new DefaultGradient(gradientsFlattened);
    for (String key : FusedConvParams.INSTANCE.paramKeys(layerConf())) {
      g.setGradientFor(key, gradientViews.get(key));
    }
    return new Pair<>(g, dx);
  }

  /**
   * Refuses an input of another rank, channel count or a side too small for the kernel, as DL4J's
   * ConvolutionLayer does: the primitives take their shapes from the input, and would read and write
   * the layer's weights and gradients past their end.
   */
  private void checkInput(long[] shape) {
    FusedConv c = layerConf();
    long minSide = c.isSame() ? 1 : Math.max(1, c.getKernel() - 2L * c.getPadding());
    if (shape.length != 4 || shape[1] != c.getNIn() || shape[2] < minSide || shape[3] < minSide) {
      throw new IllegalArgumentException("layer " + layerId() + " (conv-BN-ReLU, NCHW) got input of shape " + Arrays.toString(shape)
          + ", expected [minibatch, " + c.getNIn() + ", >= " + minSide + ", >= " + minSide + "]");
    }
  }

  private void runningStep(String key, INDArray batch, double keep) {
    gradientViews.get(key).assign(params.get(key)).subi(batch).muli(keep);
  }

  /** This shape's primitives for the pass, built on first use; the least recently used beyond {@link #SHAPES_KEPT} are closed. */
  FusedConvPrimitives primitivesFor(long[] shape, boolean training) {
    FusedConvPrimitives.Pass pass = !training ? FusedConvPrimitives.Pass.INFERENCE
        : forwardOnly ? FusedConvPrimitives.Pass.FORWARD_ONLY : FusedConvPrimitives.Pass.TRAINING;
    return primitives.computeIfAbsent(pass + " " + Arrays.toString(shape), k -> new FusedConvPrimitives(layerConf(), shape, pass));
  }

  /** Outside any workspace: the backward pass reads them after the forward pass's workspace has moved on. */
  private void ensureBatchStatistics() {
    if (batchMean == null && layerConf().isBatchNorm()) {
      try (MemoryWorkspace ignored = Nd4j.getMemoryManager().scopeOutOfWorkspaces()) {
        batchMean = Nd4j.create(DataType.FLOAT, layerConf().getNOut());
        batchVar = Nd4j.create(DataType.FLOAT, layerConf().getNOut());
      }
    }
  }
}
