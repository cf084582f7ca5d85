package sparkssl.model.blocks;

import java.util.Locale;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.nd4j.linalg.api.buffer.DataType;
import sparkssl.model.Devices;
import sparkssl.model.onednn.FusedConv;

/**
 * Which layers a network's convolution blocks are made of: {@link #FUSED}, one oneDNN layer per
 * block (CPU backend, float32), or {@link #PLAIN}, DL4J's convolution, batch-norm and activation
 * layers (any backend). Both hold the same parameters ({@link ConvLayerConversion}).
 */
public enum ConvLayers {
  FUSED,
  PLAIN;

  /** {@code -D}{@value}{@code =false} asks for DL4J's plain layers where fused ones would be built. */
  public static final String PROPERTY = "sparkssl.fused";

  /**
   * What runs fastest on this JVM's backend: fused for float32 networks on the CPU backend unless
   * {@value #PROPERTY} is false; plain on CUDA and for double precision (gradient checks).
   */
  public static ConvLayers forThisJvm(DataType networkType) {
    return networkType == DataType.FLOAT && !Devices.cuda() && !"false".equals(System.getProperty(PROPERTY)) ? FUSED : PLAIN;
  }

  /** Fused when any layer of the configuration is. */
  public static ConvLayers of(ComputationGraphConfiguration conf) {
    boolean fused = conf.getVertices().values().stream()
        .anyMatch(v -> v instanceof LayerVertex l && l.getLayerConf().getLayer() instanceof FusedConv);
    return fused ? FUSED : PLAIN;
  }

  /** {@code fused} or {@code plain}, as config.json records it. */
  @Override
  public String toString() {
    return name().toLowerCase(Locale.ROOT);
  }
}
