package sparkssl.job;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import scala.Tuple2;
import sparkssl.augment.ImageDecodeException;
import sparkssl.augment.ViewPipeline;
import sparkssl.model.SslNetwork;

/**
 * Encoder embeddings of labeled images, computed on the executors: the model travels as a broadcast
 * (configuration JSON + parameters), images are decoded and embedded where they live, and only the
 * {@code (label, embedding)} pairs come back to the driver.
 */
final class Embeddings {
  private static final int BATCH = 256;

  private Embeddings() {}

  static List<Tuple2<String, float[]>> of(JavaSparkContext sc, MultiLayerNetwork net, Dataset<Row> labeled,
      ViewPipeline pipeline) {
    Broadcast<String> conf = sc.broadcast(net.getLayerWiseConfigurations().toJson());
    Broadcast<INDArray> params = sc.broadcast(net.params().dup());
    try {
      return labeled.select("path", "content", "label").javaRDD()
          .mapPartitions(new EmbedPartition(conf, params, pipeline))
          .collect();
    } finally {
      conf.destroy();
      params.destroy();
    }
  }

  private static final class EmbedPartition implements FlatMapFunction<Iterator<Row>, Tuple2<String, float[]>> {
    private static final long serialVersionUID = 1L;
    private final Broadcast<String> conf;
    private final Broadcast<INDArray> params;
    private final ViewPipeline pipeline;

    EmbedPartition(Broadcast<String> conf, Broadcast<INDArray> params, ViewPipeline pipeline) {
      this.conf = conf;
      this.params = params;
      this.pipeline = pipeline;
    }

    @Override
    public Iterator<Tuple2<String, float[]>> call(Iterator<Row> rows) {
      MultiLayerNetwork net = new MultiLayerNetwork(MultiLayerConfiguration.fromJson(conf.value()));
      net.init(params.value(), true);
      int len = pipeline.viewLength();
      List<Tuple2<String, float[]>> out = new ArrayList<>();
      List<String> labels = new ArrayList<>();
      float[] buf = new float[BATCH * len];
      while (rows.hasNext()) {
        Row row = rows.next();
        byte[] pixels;
        try {
          pixels = pipeline.plain((byte[]) row.get(1));
        } catch (ImageDecodeException e) {
          continue; // evaluation sets are curated; a bad file just drops out of the vote
        }
        pipeline.normalize().toFloats(pixels, 0, buf, labels.size() * len, 1, pipeline.channels(), pipeline.size() * pipeline.size());
        labels.add(row.getString(2));
        if (labels.size() == BATCH) {
          embed(net, buf, labels, out);
        }
      }
      if (!labels.isEmpty()) {
        embed(net, buf, labels, out);
      }
      return out.iterator();
    }

    private void embed(MultiLayerNetwork net, float[] buf, List<String> labels, List<Tuple2<String, float[]>> out) {
      int n = labels.size();
      int len = pipeline.viewLength();
      INDArray images = Nd4j.create(Arrays.copyOf(buf, n * len),
          new long[] {n, pipeline.channels(), pipeline.size(), pipeline.size()}, 'c');
      float[][] emb = SslNetwork.embed(net, images).toFloatMatrix();
      for (int i = 0; i < n; i++) {
        out.add(new Tuple2<>(labels.get(i), emb[i]));
      }
      labels.clear();
    }
  }
}
