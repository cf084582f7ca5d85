package sparkssl.spark.ml;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.util.ModelSerializer;
import org.nd4j.linalg.api.ndarray.INDArray;
import sparkssl.model.Devices;
import sparkssl.model.FastPath;
import sparkssl.model.blocks.ConvLayerConversion;

/**
 * The encoders loaded in this JVM (an executor, or the driver in local mode), by {@link TrainedEncoder#id}:
 * a model file is parsed once per JVM however many tasks use it. A DL4J network is not safe for
 * concurrent use, so each task borrows a network of its own; the networks of one encoder on one ND4J
 * device share one parameter array, which inference only reads (each GPU gets its own copy; the CPU
 * backend has one device). The last two encoders stay; older ones go.
 */
final class EncoderCache {
  /** Train's last evaluation embeds with two encoders (trained and random-init); each may be large. */
  private static final int ENCODERS_KEPT = 2;

  private record Loaded(ComputationGraphConfiguration conf, Map<Integer, INDArray> params, Map<Integer, Deque<ComputationGraph>> idle) {
    Deque<ComputationGraph> idleOn(int device) {
      return idle.computeIfAbsent(device, d -> new ArrayDeque<>());
    }
  }

  private static final Map<String, Loaded> LOADED = new LinkedHashMap<>(8, 0.75f, true) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<String, Loaded> eldest) {
      return size() > ENCODERS_KEPT;
    }
  };

  private static long loads;

  private EncoderCache() {}

  /**
   * A network of encoder {@code id} on the calling thread's device, loading {@code bytes} if this JVM
   * has not yet: give it back when done.
   */
  static synchronized ComputationGraph borrow(String id, Supplier<byte[]> bytes) {
    int device = Devices.current();
    Loaded loaded = LOADED.get(id);
    if (loaded == null) {
      FastPath.enable();
      ComputationGraph net;
      try {
        // a model trained with fused layers embeds on a GPU executor with DL4J's own, and the other way round
        net = ConvLayerConversion.forThisJvm(ModelSerializer.restoreComputationGraph(new ByteArrayInputStream(bytes.get()), false));
      } catch (IOException e) {
        throw new UncheckedIOException("cannot load encoder " + id, e);
      }
      Map<Integer, INDArray> params = new HashMap<>();
      params.put(device, net.params());
      LOADED.put(id, new Loaded(net.getConfiguration(), params, new HashMap<>()));
      loads++;
      return net;
    }
    ComputationGraph net = loaded.idleOn(device).poll();
    if (net == null) {
      INDArray any = loaded.params().values().iterator().next();
      net = new ComputationGraph(loaded.conf().clone());
      net.init(loaded.params().computeIfAbsent(device, d -> any.dup()), false);
    }
    return net;
  }

  /** Returns a network borrowed on the calling thread, which is still on the device it borrowed on. */
  static synchronized void giveBack(String id, ComputationGraph net) {
    Loaded loaded = LOADED.get(id);
    if (loaded != null) {
      loaded.idleOn(Devices.current()).push(net);
    }
  }

  /** How many times this JVM has parsed a model file. */
  static synchronized long loads() {
    return loads;
  }
}
