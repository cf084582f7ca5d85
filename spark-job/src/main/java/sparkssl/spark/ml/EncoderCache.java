package sparkssl.spark.ml;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import org.nd4j.linalg.api.ndarray.INDArray;
import sparkssl.model.FastPath;

/**
 * The encoders loaded in this JVM (an executor, or the driver in local mode), by {@link TrainedEncoder#id}:
 * a model file is parsed once per JVM however many tasks use it. A DL4J network is not safe for
 * concurrent use, so each task borrows a network of its own; the networks of one encoder share one
 * parameter array, which inference only reads. The last two encoders stay; older ones go.
 */
final class EncoderCache {
  /** Train's last evaluation embeds with two encoders (trained and random-init); each may be large. */
  private static final int ENCODERS_KEPT = 2;

  private record Loaded(MultiLayerConfiguration conf, INDArray params, Deque<MultiLayerNetwork> idle) {}

  private static final Map<String, Loaded> LOADED = new LinkedHashMap<>(8, 0.75f, true) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<String, Loaded> eldest) {
      return size() > ENCODERS_KEPT;
    }
  };

  private static long loads;

  private EncoderCache() {}

  /** A network of encoder {@code id}, loading {@code bytes} if this JVM has not yet: give it back when done. */
  static synchronized MultiLayerNetwork borrow(String id, Supplier<byte[]> bytes) {
    Loaded loaded = LOADED.get(id);
    if (loaded == null) {
      FastPath.enable();
      MultiLayerNetwork net;
      try {
        net = ModelSerializer.restoreMultiLayerNetwork(new ByteArrayInputStream(bytes.get()), false);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot load encoder " + id, e);
      }
      LOADED.put(id, new Loaded(net.getLayerWiseConfigurations(), net.params(), new ArrayDeque<>()));
      loads++;
      return net;
    }
    MultiLayerNetwork net = loaded.idle().poll();
    if (net == null) {
      net = new MultiLayerNetwork(loaded.conf().clone());
      net.init(loaded.params(), false);
    }
    return net;
  }

  static synchronized void giveBack(String id, MultiLayerNetwork net) {
    Loaded loaded = LOADED.get(id);
    if (loaded != null) {
      loaded.idle().push(net);
    }
  }

  /** How many times this JVM has parsed a model file. */
  static synchronized long loads() {
    return loads;
  }
}
