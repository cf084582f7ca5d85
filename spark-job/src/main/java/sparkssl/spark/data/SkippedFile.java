package sparkssl.spark.data;

import java.io.Serializable;

/**
 * An image that could not be made into views, and why; shown as {@code path (reason)}. Its key (see
 * {@code sparkssl.spark.corpus.CorpusLayout}) keeps it out of later epochs; checkpoints written before
 * keys existed have none, and their path was the key.
 */
public record SkippedFile(String path, String key, String reason) implements Serializable {
  public SkippedFile {
    key = key == null ? path : key;
  }

  /** A skipped file whose path is its key (a table row outside training). */
  public SkippedFile(String path, String reason) {
    this(path, null, reason);
  }

  @Override
  public String toString() {
    return path + " (" + reason + ")";
  }
}
