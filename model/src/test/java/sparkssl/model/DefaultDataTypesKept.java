package sparkssl.model;

import java.util.List;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Fails a test that leaves ND4J's default data types other than it found them, and puts them back:
 * they are global to the JVM, and a later test would build its arrays in double precision unawares.
 * Registered for every test of the module (META-INF/services, with autodetection on).
 */
public final class DefaultDataTypesKept implements BeforeEachCallback, AfterEachCallback {
  private static final ExtensionContext.Namespace STORE = ExtensionContext.Namespace.create(DefaultDataTypesKept.class);

  @Override
  public void beforeEach(ExtensionContext context) {
    context.getStore(STORE).put("types", current());
  }

  @Override
  public void afterEach(ExtensionContext context) {
    @SuppressWarnings("unchecked")
    List<DataType> before = (List<DataType>) context.getStore(STORE).get("types", List.class);
    List<DataType> after = current();
    if (!after.equals(before)) {
      Nd4j.setDefaultDataTypes(before.get(0), before.get(1));
      throw new AssertionError(context.getDisplayName() + " left ND4J's default data types (global, floating point) at "
          + after + ", found " + before);
    }
  }

  private static List<DataType> current() {
    return List.of(Nd4j.dataType(), Nd4j.defaultFloatingPointType());
  }
}
