package sparkssl.model;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.shade.jackson.databind.JsonNode;

/** Reading the PyTorch fixtures under src/test/resources/fixtures. */
public final class Fixtures {
  private Fixtures() {}

  /** A JSON list of rows as a double-precision matrix. */
  public static INDArray matrix(JsonNode rows) {
    double[][] m = new double[rows.size()][];
    for (int i = 0; i < m.length; i++) {
      m[i] = new double[rows.get(i).size()];
      for (int j = 0; j < m[i].length; j++) {
        m[i][j] = rows.get(i).get(j).asDouble();
      }
    }
    return Nd4j.create(m).castTo(DataType.DOUBLE);
  }
}
