package sparkssl.spark.run;

import java.io.IOException;
import java.io.OutputStream;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Set;
import java.util.UUID;
import org.apache.commons.io.output.CountingOutputStream;
import org.apache.hadoop.fs.ChecksumFileSystem;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileContext;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Options;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.StreamCapabilities;

/**
 * Writes files on any Hadoop file system so that a reader finds a file whole or not at all, and a
 * replaced file with its old content or its new, never neither.
 *
 * <p>On object stores (s3a, gs) an object appears only when its upload completes on close, so files are
 * written in place; a write that fails aborts the upload (where the store's stream can, as S3A's
 * can) rather than closing it, which would publish the part written. On file systems a file is
 * visible while it is written, so a replacement is written beside its target under a unique name and
 * renamed over it: POSIX rename on the local file system and HDFS's rename with OVERWRITE replace in
 * one step. Local files are written without Hadoop's {@code .crc} side files: a rename moves the file
 * and then its checksum, and between the two steps the new file would fail the old checksum.
 */
final class AtomicWrites {
  /** Schemes whose files become visible only when their writer closes them. */
  private static final Set<String> VISIBLE_ON_CLOSE = Set.of("s3a", "gs");

  /** Length and SHA-256 (hex) of the bytes written. */
  record Written(long bytes, String sha256) {}

  private final FileSystem fs;
  private final boolean visibleOnClose;

  AtomicWrites(FileSystem fs) {
    this.fs = fs instanceof ChecksumFileSystem checksummed ? checksummed.getRawFileSystem() : fs;
    this.visibleOnClose = VISIBLE_ON_CLOSE.contains(fs.getUri().getScheme());
  }

  FileSystem fs() {
    return fs;
  }

  /**
   * Writes a file under a name nothing else uses and returns its length and SHA-256. A write that
   * fails may leave part of the file behind; nothing refers to it until its caller publishes it.
   */
  Written writeNew(Path path, StreamContent content) throws IOException {
    MessageDigest sha = sha256();
    CountingOutputStream counted;
    try (FSDataOutputStream out = fs.create(path, false)) {
      counted = new CountingOutputStream(new DigestOutputStream(out, sha));
      write(out, counted, content);
    } catch (IOException | RuntimeException e) {
      deleteQuietly(path);
      throw e;
    }
    return new Written(counted.getByteCount(), HexFormat.of().formatHex(sha.digest()));
  }

  /** Puts {@code content} at {@code target}, replacing any file there in one step. */
  void replace(Path target, StreamContent content) throws IOException {
    if (visibleOnClose) {
      try (FSDataOutputStream out = fs.create(target, true)) {
        write(out, out, content);
      }
      return;
    }
    Path tmp = new Path(target.getParent(), "." + target.getName() + "." + UUID.randomUUID() + ".tmp");
    try {
      try (FSDataOutputStream out = fs.create(tmp, false)) {
        content.write(out);
      }
      // the local file system replaces the target here; HDFS refuses to, and replaces it below
      if (!fs.rename(tmp, target)) {
        FileContext.getFileContext(fs.getUri(), fs.getConf()).rename(tmp, target, Options.Rename.OVERWRITE);
      }
    } catch (IOException | RuntimeException e) {
      deleteQuietly(tmp);
      throw e;
    }
  }

  /**
   * Writes {@code content} into {@code into}, a stream over {@code out}; when that fails, aborts
   * {@code out} if it can be, so that closing it afterwards publishes nothing. An object store's
   * client holds what was written and uploads it on close, failed write or not: without the abort, a
   * replacement cut off halfway would replace the object with its first half.
   */
  private static void write(FSDataOutputStream out, OutputStream into, StreamContent content) throws IOException {
    try {
      content.write(into);
      into.flush();
    } catch (IOException | RuntimeException | Error e) {
      if (out.hasCapability(StreamCapabilities.ABORTABLE_STREAM)) {
        out.abort();
      }
      throw e;
    }
  }

  private void deleteQuietly(Path p) {
    try {
      fs.delete(p, false);
    } catch (IOException | RuntimeException ignored) {
      // a leftover temporary file is harmless: nothing refers to it, and the next cleanup removes it
    }
  }

  static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java runtime has SHA-256", e);
    }
  }
}
