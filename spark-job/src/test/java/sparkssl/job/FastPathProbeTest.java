package sparkssl.job;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import sparkssl.model.FastPath;

/** Which worker steps count as on the fast path. */
class FastPathProbeTest {
  /**
   * An executor whose CUDA backend failed to load computes on its CPU while Spark's GPU idles: its
   * steps are off the fast path even where oneDNN runs them.
   */
  @Test
  void aStepWhoseGpuIdlesIsOffTheFastPath() {
    FastPath.Status oneDnn = new FastPath.Status(null, true, 3, 3, 3, 3, 0);
    assertTrue(FastPathProbe.onFastPath(oneDnn, false));
    assertFalse(FastPathProbe.onFastPath(oneDnn, true));
    assertFalse(FastPathProbe.onFastPath(new FastPath.Status(null, false, 3, 0, 3, 0, 0), false), "oneDNN helpers off");
    assertFalse(FastPathProbe.onFastPath(null, false), "not a network of this project");
  }
}
