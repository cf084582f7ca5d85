package sparkssl.spark.run;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.List;
import java.util.Random;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.lossfunctions.LossFunctions;
import sparkssl.model.ModelIO;

/**
 * Publishes checkpoints into the folder {@code args[0]} until it is killed: epoch {@code e} has every
 * parameter equal to {@code e} and a {@value #PAYLOAD_BYTES}-byte part, so each write takes a while.
 * Prints {@code published e} once epoch {@code e} is published.
 */
public final class CheckpointWriterProcess {
  static final int PAYLOAD_BYTES = 4 << 20;
  static final String PAYLOAD = "payload.bin";

  private CheckpointWriterProcess() {}

  public static void main(String[] args) throws IOException {
    CheckpointStore store = new CheckpointStore(FileSystem.getLocal(new Configuration()), new Path(args[0]), 2);
    ComputationGraph net = network();
    byte[] payload = payload();
    for (int epoch = 1; ; epoch++) {
      net.params().assign(epoch);
      store.publish(new TrainingProgress(epoch, 0, 1, new ObjectMapper().createObjectNode(), List.of(), List.of()),
          out -> ModelIO.write(net, out),
          List.of(new Checkpoint.Part(PAYLOAD, out -> out.write(payload))));
      System.out.println("published " + epoch);
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
