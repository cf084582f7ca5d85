package sparkssl.model.onednn;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.api.ParamInitializer;
import org.deeplearning4j.nn.conf.InputPreProcessor;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.FeedForwardLayer;
import org.deeplearning4j.nn.conf.layers.InputTypeUtil;
import org.deeplearning4j.nn.conf.memory.LayerMemoryReport;
import org.deeplearning4j.nn.conf.memory.MemoryReport;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.learning.config.NoOp;
import org.nd4j.linalg.learning.regularization.Regularization;

/**
 * A square convolution, batch norm (or the convolution's bias) and optionally ReLU as one layer
 * computed by oneDNN: the same function and parameters as DL4J's {@code ConvolutionLayer(hasBias=false)},
 * {@code BatchNormalization} (with {@code useLogStd(false)}) and {@code ActivationLayer(RELU)} in a
 * row, the running statistics moved in the update as DL4J's batch norm moves them; without batch
 * norm, DL4J's {@code ConvolutionLayer} with a bias and a ReLU or identity activation. Padding is
 * either DL4J's Same mode ({@code same}) or {@code padding} on every side (Truncate mode).
 *
 * <p>Parameters, in this order in the layer's view: {@code W [nOut, nIn, k, k]}, then {@code gamma},
 * {@code beta} (adjacent, as oneDNN's scale-shift), {@code mean}, {@code var}; or {@code b}. The
 * running statistics take no updater and no regularization; their "gradient" is the step that moves them.
 *
 * <p>A no-arg constructor and setters: configurations travel to Spark workers as JSON.
 */
public class FusedConv extends FeedForwardLayer {
  private static final long serialVersionUID = 1L;

  private int kernel = 3;
  private int stride = 1;
  private int padding;
  private boolean same = true;
  private boolean relu = true;
  private boolean batchNorm = true;
  private double eps = 1e-5;
  private double decay = 0.9;

  public FusedConv() {}

  private FusedConv(Builder b) {
    super(b);
    kernel = b.kernel;
    stride = b.stride;
    padding = b.padding;
    same = b.same;
    relu = b.relu;
    batchNorm = b.batchNorm;
    initializeConstraints(b);
  }

  @Override
  public org.deeplearning4j.nn.api.Layer instantiate(NeuralNetConfiguration conf, Collection<TrainingListener> listeners,
      int layerIndex, INDArray layerParamsView, boolean initializeParams, DataType networkDataType) {
    FusedConvLayer layer = new FusedConvLayer(conf, networkDataType);
    layer.setListeners(listeners);
    layer.setIndex(layerIndex);
    layer.setParamsViewArray(layerParamsView);
    Map<String, INDArray> params = initializer().init(conf, layerParamsView, initializeParams);
    layer.setParamTable(params);
    layer.setConf(conf);
    return layer;
  }

  @Override
  public ParamInitializer initializer() {
    return FusedConvParams.INSTANCE;
  }

  @Override
  public InputType getOutputType(int layerIndex, InputType inputType) {
    InputType.InputTypeConvolutional in = convolutional(inputType);
    return InputType.convolutional(OneDnn.outSize(in.getHeight(), kernel, stride, padding, same),
        OneDnn.outSize(in.getWidth(), kernel, stride, padding, same), nOut);
  }

  @Override
  public void setNIn(InputType inputType, boolean override) {
    if (nIn <= 0 || override) {
      nIn = convolutional(inputType).getChannels();
    }
  }

  @Override
  public InputPreProcessor getPreProcessorForInputType(InputType inputType) {
    return InputTypeUtil.getPreProcessorForInputTypeCnnLayers(inputType, getLayerName());
  }

  private InputType.InputTypeConvolutional convolutional(InputType inputType) {
    if (!(inputType instanceof InputType.InputTypeConvolutional c)) {
      throw new IllegalArgumentException("layer " + getLayerName() + " (conv-BN-ReLU) needs convolutional input, got " + inputType);
    }
    return c;
  }

  @Override
  public List<Regularization> getRegularizationByParam(String paramName) {
    if (FusedConvParams.WEIGHTS.equals(paramName)) {
      return regularization;
    }
    return FusedConvParams.BIAS.equals(paramName) ? regularizationBias : null;
  }

  @Override
  public IUpdater getUpdaterByParam(String paramName) {
    if (FusedConvParams.isRunningStatistic(paramName)) {
      return new NoOp();
    }
    return FusedConvParams.BIAS.equals(paramName) && biasUpdater != null ? biasUpdater : iUpdater;
  }

  @Override
  public boolean isPretrainParam(String paramName) {
    return false;
  }

  @Override
  public LayerMemoryReport getMemoryReport(InputType inputType) {
    InputType out = getOutputType(-1, inputType);
    long params = initializer().numParams(this);
    // the layer keeps its input in the conv's layout, the conv output and the ReLU workspace
    long kept = inputType.arrayElementsPerExample() + 2 * out.arrayElementsPerExample();
    return new LayerMemoryReport.Builder(layerName, FusedConv.class, inputType, out)
        .standardMemory(params, params)
        .workingMemory(0, kept, MemoryReport.CACHE_MODE_ALL_ZEROS, MemoryReport.CACHE_MODE_ALL_ZEROS)
        .cacheMemory(MemoryReport.CACHE_MODE_ALL_ZEROS, MemoryReport.CACHE_MODE_ALL_ZEROS)
        .build();
  }

  public int getKernel() {
    return kernel;
  }

  public void setKernel(int kernel) {
    this.kernel = kernel;
  }

  public int getStride() {
    return stride;
  }

  public void setStride(int stride) {
    this.stride = stride;
  }

  public int getPadding() {
    return padding;
  }

  public void setPadding(int padding) {
    this.padding = padding;
  }

  public boolean isSame() {
    return same;
  }

  public void setSame(boolean same) {
    this.same = same;
  }

  public boolean isRelu() {
    return relu;
  }

  public void setRelu(boolean relu) {
    this.relu = relu;
  }

  public boolean isBatchNorm() {
    return batchNorm;
  }

  public void setBatchNorm(boolean batchNorm) {
    this.batchNorm = batchNorm;
  }

  public double getEps() {
    return eps;
  }

  public void setEps(double eps) {
    this.eps = eps;
  }

  public double getDecay() {
    return decay;
  }

  public void setDecay(double decay) {
    this.decay = decay;
  }

  public static final class Builder extends FeedForwardLayer.Builder<Builder> {
    private final int kernel;
    private int stride = 1;
    private int padding;
    private boolean same = true;
    private boolean relu = true;
    private boolean batchNorm = true;

    public Builder(int kernel) {
      this.kernel = kernel;
    }

    public Builder stride(int stride) {
      this.stride = stride;
      return this;
    }

    /** DL4J's Same mode (the default). */
    public Builder samePadding() {
      same = true;
      return this;
    }

    /** Explicit padding on every side, as DL4J's Truncate mode with {@code padding(p, p)}. */
    public Builder padding(int padding) {
      this.padding = padding;
      same = false;
      return this;
    }

    public Builder relu(boolean relu) {
      this.relu = relu;
      return this;
    }

    /** Without batch norm the convolution has a bias (DL4J's ConvolutionLayer with its activation). */
    public Builder batchNorm(boolean batchNorm) {
      this.batchNorm = batchNorm;
      return this;
    }

    @Override
    @SuppressWarnings("unchecked")
    public FusedConv build() {
      return new FusedConv(this);
    }
  }
}
