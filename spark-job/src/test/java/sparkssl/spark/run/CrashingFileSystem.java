package sparkssl.spark.run;

import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FilterFileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RawLocalFileSystem;
import org.apache.hadoop.fs.permission.FsPermission;
import org.apache.hadoop.util.Progressable;

/**
 * The local file system with a crash planted at event {@code crashAt}, where an event is a file
 * created, renamed or deleted, a directory made, or one write call. The crashing write lands a random
 * part of its bytes; that event and every later one fail, as if the process had died there. With
 * {@code crashAt} at {@link Long#MAX_VALUE} nothing fails and {@link #events()} counts what a piece of
 * work costs.
 */
final class CrashingFileSystem extends FilterFileSystem {
  /** Parsed once: a Configuration reads Hadoop's default XML files when first asked. */
  static final Configuration CONF = new Configuration();
  private final long crashAt;
  private final Random random;
  private final List<Long> operations = new ArrayList<>();
  private long events;

  CrashingFileSystem(long crashAt, Random random) throws IOException {
    super(new RawLocalFileSystem());
    this.crashAt = crashAt;
    this.random = random;
    initialize(URI.create("file:///"), CONF);
  }

  long events() {
    return events;
  }

  /** The events that were file operations rather than write calls. */
  List<Long> operations() {
    return operations;
  }

  boolean crashed() {
    return events > crashAt;
  }

  /** Counts one event; throws when it is the crash or comes after it. */
  private void event() throws IOException {
    operations.add(events);
    events++;
    if (crashed()) {
      throw new IOException("crashed at event " + crashAt);
    }
  }

  @Override
  public FSDataOutputStream create(Path f, FsPermission permission, boolean overwrite, int bufferSize, short replication,
      long blockSize, Progressable progress) throws IOException {
    event();
    OutputStream out = fs.create(f, permission, overwrite, bufferSize, replication, blockSize, progress);
    return new FSDataOutputStream(new OutputStream() {
      @Override
      public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
      }

      @Override
      public void write(byte[] b, int off, int len) throws IOException {
        events++;
        if (crashed()) {
          out.write(b, off, events - 1 == crashAt ? random.nextInt(len + 1) : 0);
          out.flush();
          throw new IOException("crashed at event " + crashAt + " writing " + f);
        }
        out.write(b, off, len);
      }

      @Override
      public void close() throws IOException {
        out.close();
        if (crashed()) {
          throw new IOException("crashed at event " + crashAt + " before closing " + f);
        }
      }
    }, null);
  }

  @Override
  public boolean rename(Path src, Path dst) throws IOException {
    event();
    return super.rename(src, dst);
  }

  @Override
  public boolean delete(Path f, boolean recursive) throws IOException {
    event();
    return super.delete(f, recursive);
  }

  @Override
  public boolean mkdirs(Path f, FsPermission permission) throws IOException {
    event();
    return super.mkdirs(f, permission);
  }
}
