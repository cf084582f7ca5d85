package sparkssl.spark.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.spark.impl.graph.SparkComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import sparkssl.spark.corpus.FolderCorpus;
import sparkssl.augment.ViewOptions;
import sparkssl.augment.ViewPipeline;
import sparkssl.model.ModelIO;
import sparkssl.model.ModelOptions;
import sparkssl.model.SslNetwork;
import sparkssl.spark.data.EpochPlan;
import sparkssl.spark.data.ShuffledEpoch;
import sparkssl.spark.ml.EncoderInput;
import sparkssl.spark.ml.TrainedEncoder;

/**
 * ResNet-18 with the CIFAR stem, a ComputationGraph with residual additions, trained through parameter
 * averaging in local mode on two workers: the round completes with a finite loss, batch norm's running
 * statistics are averaged like the parameters, and they survive the model file (the reloaded encoder
 * embeds exactly as the trained one, and differently from the same weights with fresh statistics).
 */
class ResNetRoundsTest {
  private static final Path SAMPLE = Paths.get("..", "data", "sample", "fashion-mnist", "train").toAbsolutePath().normalize();
  private static final int WORKERS = 2;
  private static final int BATCH = 4;
  private static final int FREQUENCY = 2;
  /** The last block's second conv-BN, one fused layer on the CPU: its parameters include the running statistics. */
  private static final String LAST_BN = "s4b2_conv2";

  @Test
  void resNetTrainsThroughAveragingAndItsBatchNormStatisticsSurviveTheModelFile() throws Exception {
    SparkSession spark = SparkSession.builder().master("local[" + WORKERS + "]").appName("resnet-rounds")
        .config("spark.ui.enabled", "false").getOrCreate();
    try {
      JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
      FolderCorpus folder = new FolderCorpus(spark, SAMPLE.resolve("sandal").toUri().toString());
      Dataset<Row> corpus = folder.images(spark);
      List<String> paths = folder.list(spark).keys().subList(0, 24);
      long stepsPerEpoch = EpochPlan.stepsPerEpoch(paths.size(), WORKERS, BATCH);

      ModelOptions model = new ModelOptions();
      model.backbone = "resnet18-cifar";
      model.optimizer.totalSteps = stepsPerEpoch;
      ComputationGraph student = SslNetwork.create(model);
      INDArray initialMean = student.getLayer(LAST_BN).getParam("mean").dup();
      RoundAveragingMaster master = new RoundAveragingMaster(WORKERS, null);
      SparkComputationGraph net = new SparkComputationGraph(sc, student, master);
      ViewPipeline pipeline = new ViewPipeline(new ViewOptions());
      net.fit(ShuffledEpoch.of(sc, corpus.javaRDD(), paths, 7, 1, WORKERS, BATCH, FREQUENCY, pipeline, 2,
          sc.sc().longAccumulator(), sc.sc().collectionAccumulator()).rdd());
      EpochStats stats = master.takeEpoch(BATCH);
      master.release();

      assertEquals(stepsPerEpoch, stats.workerSteps() / WORKERS, "every worker step ran");
      assertEquals(2, stats.rounds().size(), "3 steps a worker in rounds of 2: two rounds");
      assertTrue(Double.isFinite(stats.meanLoss()) && stats.meanLoss() > 0, "loss " + stats.meanLoss());
      ComputationGraph trained = net.getNetwork();
      INDArray mean = trained.getLayer(LAST_BN).getParam("mean");
      assertTrue(mean.distance2(initialMean) > 0, "the averaged running mean moved off its start");

      Nd4j.getRandom().setSeed(3);
      INDArray images = Nd4j.rand(DataType.FLOAT, 5, 1, 28, 28);
      INDArray embedded = SslNetwork.embed(trained, images);
      ViewOptions views = new ViewOptions();
      views.size = 28;
      views.channels = 1;
      byte[] modelFile = TrainedEncoder.of(trained, EncoderInput.of(views)).bytes();
      ComputationGraph reloaded = ModelIO.read(new ByteArrayInputStream(modelFile));
      assertEquals(embedded, SslNetwork.embed(reloaded, images), "the reloaded encoder embeds as the trained one");

      reloaded.getLayer(LAST_BN).setParam("mean", initialMean);
      assertFalse(embedded.equalsWithEps(SslNetwork.embed(reloaded, images), 1e-4),
          "the running statistics matter to the embedding, so the equality above checks them");
    } finally {
      spark.stop();
    }
  }
}
