package sparkssl.model.onednn;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.api.ParamInitializer;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

/** {@link FusedConv}'s parameters as views of the layer's flat parameter (or gradient) array; weights initialised as DL4J's convolution initialises them. */
public final class FusedConvParams implements ParamInitializer {
  static final FusedConvParams INSTANCE = new FusedConvParams();
  public static final String WEIGHTS = "W";
  public static final String GAMMA = "gamma";
  public static final String BETA = "beta";
  public static final String MEAN = "mean";
  public static final String VAR = "var";
  public static final String BIAS = "b";
  private static final List<String> BATCH_NORM_KEYS = List.of(WEIGHTS, GAMMA, BETA, MEAN, VAR);
  private static final List<String> BIAS_KEYS = List.of(WEIGHTS, BIAS);

  private FusedConvParams() {}

  static boolean isRunningStatistic(String key) {
    return MEAN.equals(key) || VAR.equals(key);
  }

  @Override
  public long numParams(NeuralNetConfiguration conf) {
    return numParams(conf.getLayer());
  }

  @Override
  public long numParams(Layer layer) {
    FusedConv c = (FusedConv) layer;
    return weightCount(c) + (c.isBatchNorm() ? 4 : 1) * c.getNOut();
  }

  private static long weightCount(FusedConv c) {
    return c.getNOut() * c.getNIn() * c.getKernel() * c.getKernel();
  }

  @Override
  public List<String> paramKeys(Layer layer) {
    return ((FusedConv) layer).isBatchNorm() ? BATCH_NORM_KEYS : BIAS_KEYS;
  }

  @Override
  public List<String> weightKeys(Layer layer) {
    return List.of(WEIGHTS);
  }

  @Override
  public List<String> biasKeys(Layer layer) {
    return ((FusedConv) layer).isBatchNorm() ? List.of() : List.of(BIAS);
  }

  @Override
  public boolean isWeightParam(Layer layer, String key) {
    return WEIGHTS.equals(key);
  }

  @Override
  public boolean isBiasParam(Layer layer, String key) {
    return BIAS.equals(key);
  }

  @Override
  public Map<String, INDArray> init(NeuralNetConfiguration conf, INDArray paramsView, boolean initializeParams) {
    FusedConv c = (FusedConv) conf.getLayer();
    Map<String, INDArray> params = views(c, paramsView);
    if (initializeParams) {
      int k = c.getKernel();
      double fanIn = (double) c.getNIn() * k * k;
      double fanOut = (double) c.getNOut() * k * k / ((double) c.getStride() * c.getStride());
      c.getWeightInitFn().init(fanIn, fanOut, params.get(WEIGHTS).shape(), 'c', params.get(WEIGHTS));
      if (c.isBatchNorm()) {
        params.get(GAMMA).assign(1);
        params.get(BETA).assign(0);
        params.get(MEAN).assign(0);
        params.get(VAR).assign(1);
      } else {
        params.get(BIAS).assign(c.getBiasInit());
      }
    }
    return params;
  }

  @Override
  public Map<String, INDArray> getGradientsFromFlattened(NeuralNetConfiguration conf, INDArray gradientView) {
    return views((FusedConv) conf.getLayer(), gradientView);
  }

  /** W reshaped to [nOut, nIn, k, k], then the paramKeys' vectors of [nOut] each. */
  private static Map<String, INDArray> views(FusedConv c, INDArray flat) {
    INDArray v = flat.reshape(flat.length());
    long w = weightCount(c);
    long n = c.getNOut();
    int k = c.getKernel();
    Map<String, INDArray> m = new LinkedHashMap<>();
    m.put(WEIGHTS, v.get(NDArrayIndex.interval(0, w)).reshape('c', n, c.getNIn(), k, k));
    List<String> vectors = INSTANCE.paramKeys(c).subList(1, INSTANCE.paramKeys(c).size());
    for (int i = 0; i < vectors.size(); i++) {
      m.put(vectors.get(i), v.get(NDArrayIndex.interval(w + i * n, w + (i + 1) * n)));
    }
    return m;
  }

  /** What follows the conv: gamma and beta as one [2 * nOut] view (oneDNN's scale-shift), or the bias. */
  static INDArray affine(FusedConv c, INDArray flat) {
    long w = weightCount(c);
    return flat.reshape(flat.length()).get(NDArrayIndex.interval(w, w + (c.isBatchNorm() ? 2 : 1) * c.getNOut()));
  }
}
