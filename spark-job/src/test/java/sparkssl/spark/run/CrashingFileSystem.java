package sparkssl.spark.run;

import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Abortable;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.FilterFileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.StreamCapabilities;
import org.apache.hadoop.fs.permission.FsPermission;
import org.apache.hadoop.util.Progressable;

/**
 * A real file system (local, or S3A against an S3 server) with a crash planted at event
 * {@code crashAt}, where an event is a file created, closed, renamed or deleted, a directory made, or
 * one write call. That event and every later one fail:
 *
 * <ul>
 *   <li>a crashing write first hands a random part of its bytes to the file system's stream. The
 *       writer's clean-up still reaches that stream, as it would after a failed write: a close closes
 *       it for real (on an object store that publishes the part written) and then fails, an abort
 *       aborts it;</li>
 *   <li>a crashing close either completes the file and fails (a lost reply) or, drawn at random,
 *       aborts the stream where the store can, else closes it, and fails (a lost request).</li>
 * </ul>
 *
 * <p>With {@code crashAt} at {@link Long#MAX_VALUE} nothing fails and {@link #events()} counts what a
 * piece of work costs. {@link #failingOnce} fails event {@code crashAt} alone: a transient failure,
 * after which the writer's own clean-up reaches the file system. The wrapped file system may be
 * shared: close it, not this.
 */
public final class CrashingFileSystem extends FilterFileSystem {
  /** Parsed once: a Configuration reads Hadoop's default XML files when first asked. */
  static final Configuration CONF = new Configuration();
  private final long crashAt;
  private final boolean once;
  private final Random random;
  private final List<Long> operations = new ArrayList<>();
  private long events;
  private String crash;

  /** Crashes at event {@code crashAt} of {@code fs}, an initialized file system. */
  public CrashingFileSystem(FileSystem fs, long crashAt, Random random) throws IOException {
    this(fs, crashAt, false, random);
  }

  private CrashingFileSystem(FileSystem fs, long crashAt, boolean once, Random random) throws IOException {
    super(fs);
    this.crashAt = crashAt;
    this.once = once;
    this.random = random;
    initialize(fs.getUri(), fs.getConf());
  }

  /** Fails event {@code at} of {@code fs} as a crash would, and lets every other event through. */
  public static CrashingFileSystem failingOnce(FileSystem fs, long at, Random random) throws IOException {
    return new CrashingFileSystem(fs, at, true, random);
  }

  public long events() {
    return events;
  }

  /** The events that were file operations rather than write calls. */
  List<Long> operations() {
    return operations;
  }

  public boolean crashed() {
    return events > crashAt;
  }

  /** Whether an event fails: the crash itself, and after it every event unless the crash was a single failure. */
  private boolean fails(boolean crashing) {
    return crashing || (!once && crashed());
  }

  /**
   * What the crash cut off: {@code create}, {@code write}, {@code close}, {@code rename},
   * {@code delete} or {@code mkdirs}, a space, and the file's name; null before the crash.
   */
  public String crash() {
    return crash;
  }

  /** Counts event {@code kind} of {@code file}; true when it is the crash. */
  private boolean isCrash(String kind, Path file) {
    events++;
    if (events - 1 == crashAt) {
      crash = kind + " " + file.getName();
      return true;
    }
    return false;
  }

  /** Counts file operation {@code kind} on {@code file}; throws when it is the crash or comes after it. */
  private void event(String kind, Path file) throws IOException {
    operations.add(events);
    if (fails(isCrash(kind, file))) {
      throw new IOException("crashed at event " + crashAt);
    }
  }

  @Override
  public FSDataOutputStream create(Path f, FsPermission permission, boolean overwrite, int bufferSize, short replication,
      long blockSize, Progressable progress) throws IOException {
    event("create", f);
    return new FSDataOutputStream(new CrashingStream(f,
        fs.create(f, permission, overwrite, bufferSize, replication, blockSize, progress)), null);
  }

  @Override
  public boolean rename(Path src, Path dst) throws IOException {
    event("rename", src);
    return super.rename(src, dst);
  }

  @Override
  public boolean delete(Path f, boolean recursive) throws IOException {
    event("delete", f);
    return super.delete(f, recursive);
  }

  @Override
  public boolean mkdirs(Path f, FsPermission permission) throws IOException {
    event("mkdirs", f);
    return super.mkdirs(f, permission);
  }

  /** The file system's stream for {@code file}, its writes and its close events. */
  private final class CrashingStream extends OutputStream implements Abortable, StreamCapabilities {
    private final Path file;
    private final FSDataOutputStream out;

    CrashingStream(Path file, FSDataOutputStream out) {
      this.file = file;
      this.out = out;
    }

    @Override
    public void write(int b) throws IOException {
      write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      boolean crashing = isCrash("write", file);
      if (fails(crashing)) {
        out.write(b, off, crashing ? random.nextInt(len + 1) : 0);
        out.flush();
        throw new IOException("crashed at event " + crashAt + " writing " + file);
      }
      out.write(b, off, len);
    }

    @Override
    public void close() throws IOException {
      if (fails(false)) {
        out.close();
        throw new IOException("crashed at event " + crashAt + " before closing " + file);
      }
      operations.add(events);
      if (!isCrash("close", file)) {
        out.close();
        return;
      }
      if (random.nextBoolean()) {
        out.close();
        throw new IOException("crashed at event " + crashAt + ": " + file + " was closed, the reply lost");
      }
      if (out.hasCapability(ABORTABLE_STREAM)) {
        out.abort();
      } else {
        out.close();
      }
      throw new IOException("crashed at event " + crashAt + ": closing " + file + " never reached the file system");
    }

    @Override
    public AbortableResult abort() {
      return out.abort();
    }

    @Override
    public boolean hasCapability(String capability) {
      return out.hasCapability(capability);
    }
  }
}
