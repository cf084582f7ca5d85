package sparkssl.spark.data;

import java.io.Serializable;

/** A file that could not be made into views, and why; shown as {@code path (reason)}. */
public record SkippedFile(String path, String reason) implements Serializable {
  @Override
  public String toString() {
    return path + " (" + reason + ")";
  }
}
