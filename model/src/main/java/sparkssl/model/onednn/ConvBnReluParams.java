package sparkssl.model.onednn;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.api.ParamInitializer;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

/** {@link ConvBnRelu}'s parameters as views of the layer's flat parameter (or gradient) array; weights initialised as DL4J's convolution initialises them. */
final class ConvBnReluParams implements ParamInitializer {
  static final ConvBnReluParams INSTANCE = new ConvBnReluParams();
  static final String WEIGHTS = "W";
  static final String GAMMA = "gamma";
  static final String BETA = "beta";
  static final String MEAN = "mean";
  static final String VAR = "var";
  private static final List<String> KEYS = List.of(WEIGHTS, GAMMA, BETA, MEAN, VAR);

  private ConvBnReluParams() {}

  static boolean isRunningStatistic(String key) {
    return MEAN.equals(key) || VAR.equals(key);
  }

  @Override
  public long numParams(NeuralNetConfiguration conf) {
    return numParams(conf.getLayer());
  }

  @Override
  public long numParams(Layer layer) {
    ConvBnRelu c = (ConvBnRelu) layer;
    return weightCount(c) + 4 * c.getNOut();
  }

  private static long weightCount(ConvBnRelu c) {
    return c.getNOut() * c.getNIn() * c.getKernel() * c.getKernel();
  }

  @Override
  public List<String> paramKeys(Layer layer) {
    return KEYS;
  }

  @Override
  public List<String> weightKeys(Layer layer) {
    return List.of(WEIGHTS);
  }

  @Override
  public List<String> biasKeys(Layer layer) {
    return List.of();
  }

  @Override
  public boolean isWeightParam(Layer layer, String key) {
    return WEIGHTS.equals(key);
  }

  @Override
  public boolean isBiasParam(Layer layer, String key) {
    return false;
  }

  @Override
  public Map<String, INDArray> init(NeuralNetConfiguration conf, INDArray paramsView, boolean initializeParams) {
    ConvBnRelu c = (ConvBnRelu) conf.getLayer();
    Map<String, INDArray> params = views(c, paramsView);
    if (initializeParams) {
      int k = c.getKernel();
      double fanIn = (double) c.getNIn() * k * k;
      double fanOut = (double) c.getNOut() * k * k / ((double) c.getStride() * c.getStride());
      c.getWeightInitFn().init(fanIn, fanOut, params.get(WEIGHTS).shape(), 'c', params.get(WEIGHTS));
      params.get(GAMMA).assign(1);
      params.get(BETA).assign(0);
      params.get(MEAN).assign(0);
      params.get(VAR).assign(1);
    }
    return params;
  }

  @Override
  public Map<String, INDArray> getGradientsFromFlattened(NeuralNetConfiguration conf, INDArray gradientView) {
    return views((ConvBnRelu) conf.getLayer(), gradientView);
  }

  /** W reshaped to [nOut, nIn, k, k], then gamma, beta, mean, var as [nOut] each. */
  private static Map<String, INDArray> views(ConvBnRelu c, INDArray flat) {
    INDArray v = flat.reshape(flat.length());
    long w = weightCount(c);
    long n = c.getNOut();
    int k = c.getKernel();
    Map<String, INDArray> m = new LinkedHashMap<>();
    m.put(WEIGHTS, v.get(NDArrayIndex.interval(0, w)).reshape('c', n, c.getNIn(), k, k));
    m.put(GAMMA, v.get(NDArrayIndex.interval(w, w + n)));
    m.put(BETA, v.get(NDArrayIndex.interval(w + n, w + 2 * n)));
    m.put(MEAN, v.get(NDArrayIndex.interval(w + 2 * n, w + 3 * n)));
    m.put(VAR, v.get(NDArrayIndex.interval(w + 3 * n, w + 4 * n)));
    return m;
  }

  /** gamma and beta as one [2 * nOut] view, the layout of oneDNN's scale-shift. */
  static INDArray scaleShift(ConvBnRelu c, INDArray flat) {
    long w = weightCount(c);
    return flat.reshape(flat.length()).get(NDArrayIndex.interval(w, w + 2 * c.getNOut()));
  }
}
