package sparkssl.spark.ml;

import java.io.IOException;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A folder of output (Spark writes folders) published whole on any Hadoop file system: written under
 * a hidden sibling name ({@code .NAME.tmp}, which Spark and Hadoop readers of the parent skip), then
 * renamed into place. A folder it replaces is first renamed aside ({@code .NAME.old}) and deleted only
 * once the new one is in place, so no failure loses it: a publication that fails puts it back, and
 * one that is killed leaves it whole under either name, which the next publication sorts out before
 * it writes ({@link #recover}).
 *
 * <p>Every step is one rename or one deletion, atomic on the local file system and HDFS. On object
 * stores (s3a, gs) a folder's rename copies it object by object, and a kill in the middle of one can
 * leave a folder split between two names; the next publication then stops rather than guess.
 */
final class OutputFolder {
  private static final Logger LOG = LoggerFactory.getLogger(OutputFolder.class);

  /** Writes a folder's content at a URI. */
  interface Writer {
    void write(String uri) throws IOException;
  }

  private final FileSystem fs;
  private final Path target;
  private final Path staging;
  private final Path backup;

  OutputFolder(String uri, Configuration hadoopConf) throws IOException {
    this(new Path(uri).getFileSystem(hadoopConf), new Path(uri));
  }

  /** The folder {@code target} on {@code fs}, which a test may wrap to fail its steps. */
  OutputFolder(FileSystem fs, Path target) {
    this.fs = fs;
    this.target = target;
    this.staging = new Path(target.getParent(), "." + target.getName() + ".tmp");
    this.backup = new Path(target.getParent(), "." + target.getName() + ".old");
  }

  /**
   * Runs {@code write} on the staging folder's URI, then puts the result in place of the target;
   * an existing target is replaced only if {@code replace}, and only once the new folder is complete.
   */
  void publish(boolean replace, Writer write) throws IOException {
    recover();
    if (!replace && fs.exists(target)) {
      throw new IOException(target + " exists; left it as it is");
    }
    boolean setAside = false;
    try {
      write.write(staging.toString());
      if (fs.exists(target)) {
        if (!replace) {
          throw new IOException(target + " appeared while it was being written; left it as it is");
        }
        rename(target, backup);
        setAside = true;
      }
      rename(staging, target);
    } catch (IOException | RuntimeException e) {
      undo(setAside, e);
      throw e;
    }
    try {
      fs.delete(backup, true);
    } catch (IOException e) {
      // the new folder is in place: the next publication deletes the old one
      LOG.warn("published {}, but could not delete the folder it replaced, {}: {}", target, backup, e.toString());
    }
  }

  /**
   * Puts back what a publication cut off by a kill left: the old folder if the new one never got
   * into place, else the new one alone; and removes a staging folder.
   */
  private void recover() throws IOException {
    if (fs.exists(backup)) {
      boolean inPlace = fs.exists(target);
      if (inPlace && fs.exists(staging)) {
        throw new IOException(target + ", " + backup + " and " + staging + " all exist: a replacement was cut off in a "
            + "rename, and a folder may be split between two of them; left as they are, move the complete one to " + target);
      }
      if (inPlace) {
        LOG.warn("{} was published, but the folder it replaced was left at {}; deleting it", target, backup);
        fs.delete(backup, true);
      } else {
        LOG.warn("a replacement of {} was cut off before the new folder was in place; restoring the old one from {}",
            target, backup);
        rename(backup, target);
      }
    }
    fs.delete(staging, true);
  }

  /** After a failed publication: the old folder back in place, the staging folder gone. */
  private void undo(boolean setAside, Exception failure) {
    try {
      if (setAside) {
        // only what the failed rename into place may have left is there
        fs.delete(target, true);
        rename(backup, target);
      }
      fs.delete(staging, true);
    } catch (IOException | RuntimeException e) {
      // what is left is whole under one of the names, and the next publication recovers it
      failure.addSuppressed(e);
    }
  }

  private void rename(Path from, Path to) throws IOException {
    if (!fs.rename(from, to)) {
      throw new IOException("cannot rename " + from + " to " + to);
    }
  }
}
