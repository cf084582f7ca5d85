package org.deeplearning4j.nn.layers.mkldnn;

import org.nd4j.linalg.factory.Nd4j;

/**
 * Replaces DL4J 1.0.0-M2.1's class of the same name (the shaded jar drops the original; in Maven
 * builds this module's classes come first). The original asks
 * {@code org.nd4j.nativeblas.Nd4jCpu$Environment.isUseMKLDNN}, which M2.1 no longer has: the lookup
 * fails quietly and every oneDNN helper (convolution, batch norm, pooling) stays off. This one asks
 * M2.1's {@code org.nd4j.linalg.cpu.nativecpu.bindings.Nd4jCpu$Environment.isUseONEDNN}.
 */
public class BaseMKLDNNHelper {
  private static volatile Boolean oneDnnBuilt;

  /** True on the CPU backend when helpers are allowed and libnd4j was built with oneDNN. */
  public static boolean mklDnnEnabled() {
    if (oneDnnBuilt == null) {
      oneDnnBuilt = probe();
    }
    return oneDnnBuilt && Nd4j.getEnvironment().helpersAllowed();
  }

  private static boolean probe() {
    try {
      String backend = Nd4j.getExecutioner().getEnvironmentInformation().getProperty("backend");
      if (!"CPU".equalsIgnoreCase(backend)) {
        return false;
      }
      Class<?> env = Class.forName("org.nd4j.linalg.cpu.nativecpu.bindings.Nd4jCpu$Environment");
      Object instance = env.getMethod("getInstance").invoke(null);
      return (Boolean) env.getMethod("isUseONEDNN").invoke(instance);
    } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
      return false;
    }
  }
}
