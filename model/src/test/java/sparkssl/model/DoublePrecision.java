package sparkssl.model;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

/**
 * ND4J's default data types set to double, as double-precision checks need them, until closed; then
 * back to what they were: they are global to the JVM, and later tests build their arrays with them.
 */
public final class DoublePrecision implements AutoCloseable {
  private final DataType global = Nd4j.dataType();
  private final DataType floating = Nd4j.defaultFloatingPointType();

  private DoublePrecision() {
    Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
  }

  public static DoublePrecision set() {
    return new DoublePrecision();
  }

  @Override
  public void close() {
    Nd4j.setDefaultDataTypes(global, floating);
  }
}
