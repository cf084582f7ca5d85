package sparkssl.model.blocks;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.InputPreProcessor;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.FeedForwardLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.params.BatchNormalizationParamInitializer;
import org.deeplearning4j.nn.updater.BaseMultiLayerUpdater;
import org.deeplearning4j.nn.updater.UpdaterBlock;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.activations.impl.ActivationReLU;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.ops.transforms.Transforms;
import sparkssl.model.onednn.FusedConv;
import sparkssl.model.onednn.FusedConvParams;

/**
 * Rebuilds a network's convolution blocks ({@link ConvBlock}) from the other set of layers and moves
 * every parameter and its updater state across by name: the fused layer {@code N}'s {@code W, gamma,
 * beta, mean, var} (or {@code W, b}) are the plain convolution {@code N}'s {@code W} (or {@code W, b}) and
 * its batch norm {@code N_bn}'s {@code gamma, beta, mean} and running variance, which DL4J's batch norm
 * keeps as {@code log10stdev = log10(sqrt(var + eps))} unless built with {@code useLogStd(false)}. The
 * flat layouts differ (that variance, a bias's place, the order of vertices), hence the explicit map.
 * Every other layer keeps its name, configuration and parameters.
 */
public final class ConvLayerConversion {
  private ConvLayerConversion() {}

  /** A block found in a configuration: its vertices there, the last of them, and its first (convolution) layer. */
  private record Block(String name, ConvBlock spec, List<String> vertices, Layer conv, BatchNormalization bn) {
    String last() {
      return vertices.get(vertices.size() - 1);
    }
  }

  /** One parameter's key in the source network and in the converted one, and whether its value changes form. */
  private record Moved(String from, String to, VarianceForm form, double eps) {}

  /** How a running variance is kept; other parameters are copied as they are. */
  private enum VarianceForm { SAME, VAR_TO_LOG_STD, LOG_STD_TO_VAR }

  /**
   * The network as this JVM's backend runs it best ({@link ConvLayers#forThisJvm}), e.g. a model file
   * trained on CPUs loaded on a GPU: fused layers can be built on any backend, but run on the CPU's only.
   */
  public static ComputationGraph forThisJvm(ComputationGraph net) {
    return to(net, ConvLayers.forThisJvm(net.params().dataType()));
  }

  /**
   * The network with its convolution blocks built from {@code target}'s layers: the same function, the
   * same parameters and updater state, iteration and epoch; {@code net} itself when it already is.
   */
  public static ComputationGraph to(ComputationGraph net, ConvLayers target) {
    ComputationGraphConfiguration conf = net.getConfiguration();
    ConvLayers source = ConvLayers.of(conf);
    if (source == target) {
      return net;
    }
    if (target == ConvLayers.FUSED && net.params().dataType() != DataType.FLOAT) {
      throw new IllegalArgumentException("fused convolution layers are float32 only; this network is " + net.params().dataType());
    }
    Map<String, Block> blocks = source == ConvLayers.FUSED ? fusedBlocks(conf) : plainBlocks(conf);
    ComputationGraphConfiguration converted = rebuilt(conf.clone(), blocks, target);
    converted.setIterationCount(net.getIterationCount());
    converted.setEpochCount(net.getEpochCount());
    ComputationGraph out = new ComputationGraph(converted);
    out.init();
    List<Moved> moved = moved(net, out, blocks, target);
    // a network loaded for inference has no updater: none is made for it
    boolean updater = net.getUpdater(false) != null;
    Map<String, List<INDArray>> fromState = updater ? stateViews(net) : Map.of();
    Map<String, List<INDArray>> toState = updater ? stateViews(out) : Map.of();
    for (Moved m : moved) {
      INDArray value = net.getParam(m.from());
      out.getParam(m.to()).assign(switch (m.form()) {
        case SAME -> value;
        case VAR_TO_LOG_STD -> Transforms.log(value.add(m.eps()), 10, false).muli(0.5);
        case LOG_STD_TO_VAR -> Transforms.exp(value.mul(2 * Math.log(10)), false).subi(m.eps());
      });
      List<INDArray> from = fromState.getOrDefault(m.from(), List.of());
      List<INDArray> to = toState.getOrDefault(m.to(), List.of());
      if (from.size() != to.size()) {
        throw new IllegalStateException(m.from() + " has " + from.size() + " updater state arrays, " + m.to() + " " + to.size());
      }
      for (int i = 0; i < from.size(); i++) {
        to.get(i).assign(from.get(i));
      }
    }
    if (moved.size() != out.paramTable().size()) {
      throw new IllegalStateException("converted " + moved.size() + " of the network's " + out.paramTable().size() + " parameters");
    }
    return out;
  }

  private static Map<String, Block> fusedBlocks(ComputationGraphConfiguration conf) {
    Map<String, Block> blocks = new LinkedHashMap<>();
    conf.getVertices().forEach((name, v) -> {
      if (layerOf(v) instanceof FusedConv f) {
        blocks.put(name, new Block(name, ConvBlock.of(f), List.of(name), f, null));
      }
    });
    return blocks;
  }

  /**
   * Convolutions the fused layer computes (square kernel and stride, no dilation, NCHW, Same mode or
   * the same padding on every side) with their batch norm {@code N_bn} and ReLU {@code N_relu} where
   * those follow them alone; without batch norm, a convolution with a bias and a ReLU or no activation.
   */
  private static Map<String, Block> plainBlocks(ComputationGraphConfiguration conf) {
    Map<String, List<String>> consumers = new HashMap<>();
    conf.getVertexInputs().forEach((name, inputs) -> inputs.forEach(in -> consumers.computeIfAbsent(in, k -> new ArrayList<>()).add(name)));
    Map<String, Block> blocks = new LinkedHashMap<>();
    conf.getVertices().forEach((name, v) -> {
      if (!(layerOf(v) instanceof ConvolutionLayer c) || c.getClass() != ConvolutionLayer.class || padding(c) == null) {
        return;
      }
      int padding = padding(c);
      String bnName = name + ConvBlock.BN;
      String reluName = name + ConvBlock.RELU;
      if (!c.isHasBias() && activation(c.getActivationFn()) == Boolean.FALSE
          && List.of(bnName).equals(consumers.get(name)) && layerOf(conf.getVertices().get(bnName)) instanceof BatchNormalization bn
          && !bn.isLockGammaBeta()) {
        boolean relu = List.of(reluName).equals(consumers.get(bnName))
            && layerOf(conf.getVertices().get(reluName)) instanceof ActivationLayer a && activation(a.getActivationFn()) == Boolean.TRUE;
        List<String> vertices = relu ? List.of(name, bnName, reluName) : List.of(name, bnName);
        blocks.put(name, new Block(name, new ConvBlock(c.getKernelSize()[0], c.getStride()[0], padding, (int) c.getNOut(), true, relu),
            vertices, c, bn));
      } else if (c.isHasBias() && activation(c.getActivationFn()) != null) {
        blocks.put(name, new Block(name, new ConvBlock(c.getKernelSize()[0], c.getStride()[0], padding, (int) c.getNOut(), false,
            activation(c.getActivationFn())), List.of(name), c, null));
      }
    });
    return blocks;
  }

  /** The padding the fused layer takes for this convolution ({@link ConvBlock#SAME} for Same mode), or null if it cannot compute it. */
  private static Integer padding(ConvolutionLayer c) {
    int[] k = c.getKernelSize();
    int[] s = c.getStride();
    int[] p = c.getPadding();
    int[] d = c.getDilation();
    if (k[0] != k[1] || s[0] != s[1] || d[0] != 1 || d[1] != 1 || c.getCnn2dDataFormat() != CNN2DFormat.NCHW || c.getIDropout() != null) {
      return null;
    }
    if (c.getConvolutionMode() == ConvolutionMode.Same) {
      return ConvBlock.SAME;
    }
    return c.getConvolutionMode() == ConvolutionMode.Truncate && p[0] == p[1] ? p[0] : null;
  }

  /** True for a plain ReLU, false for the identity, null for any other activation. */
  private static Boolean activation(IActivation fn) {
    if (fn instanceof ActivationIdentity) {
      return false;
    }
    return fn instanceof ActivationReLU && new ActivationReLU().equals(fn) ? true : null;
  }

  private static Layer layerOf(GraphVertex v) {
    return v instanceof LayerVertex l ? l.getLayerConf().getLayer() : null;
  }

  /** The configuration with each block's vertices replaced by {@code target}'s, in place, and its consumers re-pointed. */
  private static ComputationGraphConfiguration rebuilt(ComputationGraphConfiguration conf, Map<String, Block> blocks, ConvLayers target) {
    Map<String, String> lastVertex = new HashMap<>();
    Map<String, List<ConvBlock.Named>> layers = new HashMap<>();
    for (Block b : blocks.values()) {
      List<ConvBlock.Named> l = b.spec().layers(b.name(), target);
      layers.put(b.name(), l);
      lastVertex.put(b.last(), l.get(l.size() - 1).name());
    }
    Set<String> replaced = blocks.values().stream().flatMap(b -> b.vertices().stream()).collect(Collectors.toSet());
    Map<String, GraphVertex> vertices = new LinkedHashMap<>();
    Map<String, List<String>> inputs = new LinkedHashMap<>();
    conf.getVertices().forEach((name, v) -> {
      List<String> in = conf.getVertexInputs().get(name).stream().map(i -> lastVertex.getOrDefault(i, i)).toList();
      Block b = blocks.get(name);
      if (b != null) {
        LayerVertex template = (LayerVertex) v;
        String previous = null;
        for (ConvBlock.Named l : layers.get(name)) {
          settle(l.layer(), b);
          vertices.put(l.name(), vertex(template, l, previous == null ? template.getPreProcessor() : null));
          inputs.put(l.name(), previous == null ? in : List.of(previous));
          previous = l.name();
        }
      } else if (!replaced.contains(name)) {
        vertices.put(name, v);
        inputs.put(name, in);
      }
    });
    conf.setVertices(vertices);
    conf.setVertexInputs(inputs);
    conf.setNetworkOutputs(conf.getNetworkOutputs().stream().map(o -> lastVertex.getOrDefault(o, o)).toList());
    conf.setTopologicalOrder(null);
    conf.setTopologicalOrderStr(null);
    return conf;
  }

  /**
   * A new layer of a block takes what the builder would have given it from the source's first layer
   * (input width, updater, regularization, initialisation) and, for batch norm, the source's epsilon and decay.
   */
  private static void settle(Layer layer, Block b) {
    if (layer instanceof FeedForwardLayer f && b.conv() instanceof FeedForwardLayer source) {
      f.setNIn(layer instanceof BatchNormalization ? source.getNOut() : source.getNIn());
    }
    if (layer instanceof BaseLayer l && b.conv() instanceof BaseLayer source) {
      l.setIUpdater(source.getIUpdater());
      l.setBiasUpdater(source.getBiasUpdater());
      l.setRegularization(source.getRegularization());
      l.setRegularizationBias(source.getRegularizationBias());
      l.setWeightInitFn(source.getWeightInitFn());
      l.setBiasInit(source.getBiasInit());
      l.setGradientNormalization(source.getGradientNormalization());
      l.setGradientNormalizationThreshold(source.getGradientNormalizationThreshold());
    }
    double eps = b.conv() instanceof FusedConv f ? f.getEps() : b.bn() != null ? b.bn().getEps() : 0;
    double decay = b.conv() instanceof FusedConv f ? f.getDecay() : b.bn() != null ? b.bn().getDecay() : 0;
    if (layer instanceof BatchNormalization bn) {
      bn.setNOut(bn.getNIn());
      bn.setEps(eps);
      bn.setDecay(decay);
    } else if (layer instanceof FusedConv f && b.bn() != null) {
      f.setEps(eps);
      f.setDecay(decay);
    }
  }

  private static LayerVertex vertex(LayerVertex template, ConvBlock.Named l, InputPreProcessor pre) {
    NeuralNetConfiguration c = template.getLayerConf().clone();
    c.clearVariables();
    l.layer().setLayerName(l.name());
    c.setLayer(l.layer());
    return new LayerVertex(c, pre);
  }

  /** Every parameter of {@code out} and the source parameter it takes. */
  private static List<Moved> moved(ComputationGraph net, ComputationGraph out, Map<String, Block> blocks, ConvLayers target) {
    Set<String> inBlocks = blocks.values().stream().flatMap(b -> b.vertices().stream()).collect(Collectors.toSet());
    List<Moved> moved = new ArrayList<>();
    for (String key : net.paramTable().keySet()) {
      if (!inBlocks.contains(key.substring(0, key.lastIndexOf('_')))) {
        moved.add(new Moved(key, key, VarianceForm.SAME, 0));
      }
    }
    for (Block b : blocks.values()) {
      ComputationGraph plain = target == ConvLayers.PLAIN ? out : net;
      String n = b.name();
      List<String[]> fusedAndPlain = new ArrayList<>();
      fusedAndPlain.add(new String[] {FusedConvParams.WEIGHTS, n, "W"});
      double eps = 0;
      VarianceForm variance = VarianceForm.SAME;
      String plainVar = null;
      if (b.spec().batchNorm()) {
        BatchNormalization bn = (BatchNormalization) plain.getLayer(n + ConvBlock.BN).conf().getLayer();
        eps = bn.getEps();
        plainVar = bn.isUseLogStd() ? BatchNormalizationParamInitializer.GLOBAL_LOG_STD : BatchNormalizationParamInitializer.GLOBAL_VAR;
        if (bn.isUseLogStd()) {
          variance = target == ConvLayers.PLAIN ? VarianceForm.VAR_TO_LOG_STD : VarianceForm.LOG_STD_TO_VAR;
        }
        fusedAndPlain.add(new String[] {FusedConvParams.GAMMA, n + ConvBlock.BN, BatchNormalizationParamInitializer.GAMMA});
        fusedAndPlain.add(new String[] {FusedConvParams.BETA, n + ConvBlock.BN, BatchNormalizationParamInitializer.BETA});
        fusedAndPlain.add(new String[] {FusedConvParams.MEAN, n + ConvBlock.BN, BatchNormalizationParamInitializer.GLOBAL_MEAN});
      } else {
        fusedAndPlain.add(new String[] {FusedConvParams.BIAS, n, "b"});
      }
      for (String[] p : fusedAndPlain) {
        String fused = n + "_" + p[0];
        String plainKey = p[1] + "_" + p[2];
        moved.add(target == ConvLayers.PLAIN ? new Moved(fused, plainKey, VarianceForm.SAME, 0) : new Moved(plainKey, fused, VarianceForm.SAME, 0));
      }
      if (plainVar != null) {
        String fused = n + "_" + FusedConvParams.VAR;
        String plainKey = n + ConvBlock.BN + "_" + plainVar;
        moved.add(target == ConvLayers.PLAIN ? new Moved(fused, plainKey, variance, eps) : new Moved(plainKey, fused, variance, eps));
      }
    }
    return moved;
  }

  /**
   * Each parameter's slices of the updater state, by key: an updater block holds, for its run of
   * parameters, one array per kind of state (Adam's m, then v), each as long as the run.
   */
  private static Map<String, List<INDArray>> stateViews(ComputationGraph net) {
    Map<String, List<INDArray>> views = new HashMap<>();
    for (UpdaterBlock block : ((BaseMultiLayerUpdater<?>) net.getUpdater()).getUpdaterBlocks()) {
      INDArray view = block.getUpdaterView();
      long n = block.getParamOffsetEnd() - block.getParamOffsetStart();
      if (view == null || view.length() == 0) {
        continue;
      }
      INDArray flat = view.reshape(view.length());
      long kinds = flat.length() / n;
      for (UpdaterBlock.ParamState p : block.getLayersAndVariablesInBlock()) {
        long from = p.getParamOffsetStart() - block.getParamOffsetStart();
        long to = p.getParamOffsetEnd() - block.getParamOffsetStart();
        List<INDArray> slices = new ArrayList<>();
        for (long k = 0; k < kinds; k++) {
          slices.add(flat.get(NDArrayIndex.interval(k * n + from, k * n + to)));
        }
        views.put(p.getLayer().getConfig().getLayerName() + "_" + p.getParamName(), slices);
      }
    }
    return views;
  }
}
