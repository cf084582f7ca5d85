package sparkssl.spark.run;

import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.Map;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A checkpoint as loaded: which published entry it is, where the run stood, the network with its
 * updater state, and any further named state saved beside it ({@link Part}).
 */
public record Checkpoint(CheckpointManifest.Entry entry, TrainingProgress progress, ComputationGraph network,
    Map<String, byte[]> parts) {

  public Checkpoint {
    parts = Map.copyOf(parts);
  }

  /** The array held by the part {@code name}, written by {@link Part#array}. */
  public INDArray array(String name) throws IOException {
    byte[] bytes = parts.get(name);
    if (bytes == null) {
      throw new IOException("checkpoint " + entry.file() + " holds no " + name);
    }
    return Nd4j.read(new DataInputStream(new ByteArrayInputStream(bytes)));
  }

  /**
   * Further named state a checkpoint holds beside the network and the progress, for what a method
   * keeps outside the network: an EMA teacher ({@code teacher.bin}), a running centre. Names are file
   * names, kept apart from the network's entries and the progress inside the checkpoint.
   */
  public record Part(String name, StreamContent content) {
    /** A part holding one array in ND4J's binary form, e.g. an EMA teacher's state. */
    public static Part array(String name, INDArray array) {
      return new Part(name, out -> {
        DataOutputStream data = new DataOutputStream(out);
        Nd4j.write(array, data);
        data.flush();
      });
    }
  }
}
