package sparkssl.spark.ml;

import java.io.IOException;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * A folder of output (Spark writes folders) published whole on any Hadoop file system: written under
 * a hidden sibling name ({@code .NAME.tmp}, which Spark and Hadoop readers of the parent skip), then
 * renamed into place. A write that fails removes what it wrote and leaves an older folder of the same
 * name as it was; one that is killed leaves only the hidden sibling, which the next write removes.
 */
final class OutputFolder {
  /** Writes a folder's content at a URI. */
  interface Writer {
    void write(String uri) throws IOException;
  }

  private final FileSystem fs;
  private final Path target;
  private final Path staging;

  OutputFolder(String uri, Configuration hadoopConf) throws IOException {
    this.target = new Path(uri);
    this.fs = target.getFileSystem(hadoopConf);
    this.staging = new Path(target.getParent(), "." + target.getName() + ".tmp");
  }

  /**
   * Runs {@code write} on the staging folder's URI, then puts the result in place of the target;
   * an existing target is replaced only if {@code replace}, and only once the new folder is complete.
   */
  void publish(boolean replace, Writer write) throws IOException {
    fs.delete(staging, true);
    try {
      write.write(staging.toString());
      if (fs.exists(target)) {
        if (!replace) {
          throw new IOException(target + " appeared while it was being written; left it as it is");
        }
        if (!fs.delete(target, true)) {
          throw new IOException("cannot replace " + target);
        }
      }
      if (!fs.rename(staging, target)) {
        throw new IOException("cannot rename " + staging + " to " + target);
      }
    } catch (IOException | RuntimeException e) {
      fs.delete(staging, true);
      throw e;
    }
  }
}
