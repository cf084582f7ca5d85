package sparkssl.job;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sparkssl.augment.ImageDecodeException;
import sparkssl.augment.ViewPipeline;
import sparkssl.augment.ViewSeed;
import sparkssl.model.SslNetwork;
import sparkssl.model.eval.CollapseMetrics;

/**
 * Watches for representation collapse: a fixed sample of corpus images (chosen by the seed, the same
 * every epoch), embedded on the driver after each epoch; the embeddings' and projections' spread
 * ({@link CollapseMetrics}) go into the metrics, and a warning into the log when either has collapsed.
 */
final class CollapseMonitor {
  private static final Logger LOG = LoggerFactory.getLogger(CollapseMonitor.class);
  /**
   * Below this relative spread the projections are collapsing (isotropic is about 1). Measured on the
   * bundled sample: SimSiam's projections keep 0.79-0.81 over 3 epochs, without the stop-gradient they
   * fall 0.48, 0.35, 0.26. The embeddings (after ReLU and pooling, all in one orthant) spread less even
   * when healthy (0.37-0.47), so only their rank is judged.
   */
  static final double COLLAPSED_STD = 0.3;
  /** An effective rank below this is (nearly) a line. */
  static final double COLLAPSED_RANK = 1.5;
  private static final int SAMPLE = 256;

  private final Set<String> keys;
  private final Function<Set<String>, List<byte[]>> read;
  private final ViewPipeline pipeline;
  private INDArray images;

  private CollapseMonitor(Set<String> keys, Function<Set<String>, List<byte[]>> read, ViewPipeline pipeline) {
    this.keys = keys;
    this.read = read;
    this.pipeline = pipeline;
  }

  /**
   * The sample's keys are chosen now from the whole listing (so a resumed run measures the images the
   * uninterrupted run measured); their bytes are read by {@code read} when the first epoch is measured,
   * when worker shards already hold them on the executors.
   */
  static CollapseMonitor sample(List<String> paths, long seed, ViewPipeline pipeline, Function<Set<String>, List<byte[]>> read) {
    Set<String> chosen = paths.stream()
        .sorted(Comparator.comparingLong(p -> ViewSeed.orderKey(seed, 0, p)))
        .limit(SAMPLE).collect(Collectors.toUnmodifiableSet());
    return new CollapseMonitor(chosen, read, pipeline);
  }

  private INDArray images() {
    if (images != null) {
      return images;
    }
    int len = pipeline.viewLength();
    List<float[]> decoded = new ArrayList<>();
    for (byte[] content : read.apply(keys)) {
      try {
        float[] x = new float[len];
        pipeline.normalize().toFloats(pipeline.plain(content), 0, x, 0, 1, pipeline.channels(), pipeline.size() * pipeline.size());
        decoded.add(x);
      } catch (ImageDecodeException e) {
        // an undecodable file is counted by training; the sample is just one image smaller
      }
    }
    images = Nd4j.create(decoded.toArray(float[][]::new))
        .reshape('c', decoded.size(), pipeline.channels(), pipeline.size(), pipeline.size());
    return images;
  }

  /** The metrics record's {@code collapse} entry for this network; logs a warning on collapse. */
  Map<String, Object> measure(ComputationGraph net, int epoch) {
    CollapseMetrics embedding = CollapseMetrics.of(SslNetwork.embed(net, images()));
    CollapseMetrics projection = CollapseMetrics.of(SslNetwork.project(net, images(), true));
    boolean collapsed = projection.relativeStd() < COLLAPSED_STD
        || projection.rankMe() < COLLAPSED_RANK || embedding.rankMe() < COLLAPSED_RANK;
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("embedding_std", embedding.relativeStd());
    m.put("embedding_rankme", embedding.rankMe());
    m.put("projection_std", projection.relativeStd());
    m.put("projection_rankme", projection.rankMe());
    m.put("collapsed", collapsed);
    if (collapsed) {
      LOG.warn("epoch {}: REPRESENTATION COLLAPSE: on {} fixed images the embeddings' spread is {} and effective rank {}, "
          + "the projections' {} and {} (a projection spread above {} and ranks well above {} are healthy); the method's configuration "
          + "is broken or the learning rate too high", epoch, images.size(0),
          String.format("%.3f", embedding.relativeStd()), String.format("%.2f", embedding.rankMe()),
          String.format("%.3f", projection.relativeStd()), String.format("%.2f", projection.rankMe()), COLLAPSED_STD,
          COLLAPSED_RANK);
    }
    return m;
  }
}
