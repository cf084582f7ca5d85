package sparkssl.spark.run;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.lossfunctions.LossFunctions;
import sparkssl.model.ModelIO;

/**
 * Publishes checkpoints into the folder {@code args[0]} (any Hadoop path; the further arguments are
 * Hadoop settings {@code KEY=VALUE}) until it is killed: epoch {@code e} has every parameter equal to
 * {@code e} and a {@value #PAYLOAD_BYTES}-byte part, so each write takes a while (and takes S3A's
 * multipart upload). Prints {@code publishing e} before it publishes epoch {@code e} and
 * {@code published e in N ms} after.
 */
public final class CheckpointWriterProcess {
  static final int PAYLOAD_BYTES = 6 << 20;
  static final String PAYLOAD = "payload.bin";
  static final String PUBLISHING = "publishing";
  static final String PUBLISHED = "published";

  private CheckpointWriterProcess() {}

  public static void main(String[] args) throws IOException {
    Configuration conf = new Configuration();
    for (String setting : Arrays.asList(args).subList(1, args.length)) {
      String[] kv = setting.split("=", 2);
      conf.set(kv[0], kv[1]);
    }
    Path dir = new Path(args[0]);
    CheckpointStore store = new CheckpointStore(dir.getFileSystem(conf), dir, 2);
    ComputationGraph net = network();
    byte[] payload = payload();
    for (int epoch = 1; ; epoch++) {
      net.params().assign(epoch);
      System.out.println(PUBLISHING + " " + epoch);
      System.out.flush();
      long start = System.nanoTime();
      store.publish(new TrainingProgress(epoch, 0, 1, new ObjectMapper().createObjectNode(), List.of(), List.of()),
          out -> ModelIO.write(net, out),
          List.of(new Checkpoint.Part(PAYLOAD, out -> out.write(payload))));
      System.out.println(PUBLISHED + " " + epoch + " in " + (System.nanoTime() - start) / 1_000_000 + " ms");
      System.out.flush();
    }
  }

  static byte[] payload() {
    byte[] payload = new byte[PAYLOAD_BYTES];
    new Random(1).nextBytes(payload);
    return payload;
  }

  static ComputationGraph network() {
    ComputationGraph net = new ComputationGraph(new NeuralNetConfiguration.Builder().seed(1).graphBuilder()
        .addInputs("in")
        .addLayer("hidden", new DenseLayer.Builder().nIn(64).nOut(64).activation(Activation.RELU).build(), "in")
        .addLayer("out", new OutputLayer.Builder(LossFunctions.LossFunction.MSE).nIn(64).nOut(8).activation(Activation.IDENTITY)
            .build(), "hidden")
        .setOutputs("out")
        .build());
    net.init();
    return net;
  }
}
