package sparkssl.model;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.util.ModelSerializer;

/** The model in DL4J's own zip format (configuration JSON + parameters + updater state). */
public final class ModelIO {
  private ModelIO() {}

  public static void write(ComputationGraph net, OutputStream out) throws IOException {
    ModelSerializer.writeModel(net, out, true);
  }

  public static ComputationGraph read(InputStream in) throws IOException {
    return ModelSerializer.restoreComputationGraph(in, true);
  }
}
