package sparkssl.model.onednn;

import org.nd4j.linalg.api.buffer.DataType;
import sparkssl.model.Devices;

/**
 * Whether a network is built with the fused oneDNN layers of this package: on the CPU backend, for
 * float32 networks, unless {@code -D}{@value #PROPERTY}{@code =false} asks for DL4J's plain layers
 * (double-precision networks, such as gradient checks build, always get the plain ones).
 */
public final class FusedLayers {
  public static final String PROPERTY = "sparkssl.fused";

  private FusedLayers() {}

  public static boolean enabled(DataType networkType) {
    return networkType == DataType.FLOAT && !Devices.cuda() && !"false".equals(System.getProperty(PROPERTY));
  }
}
