package sparkssl.spark.corpus;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.NoSuchElementException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.utils.IOUtils;

/**
 * The samples of one WebDataset tar shard, read as a stream: a sample is the run of consecutive
 * members whose names share a key (the name up to the first dot of its last part, as WebDataset
 * splits {@code 0/123.png} into key {@code 0/123} and field {@code png}). Its image is the first
 * {@code jpg}, {@code jpeg} or {@code png} member; its class the text of a {@code cls} member. A shard
 * cut short ends at its last whole sample, and says where it was cut.
 */
final class TarSamples implements Iterator<TarSamples.Sample>, AutoCloseable {
  private static final Pattern MEMBER = Pattern.compile("^((?:.*/|)[^./]+)[.]([^/]*)$");
  private static final List<String> IMAGE_FIELDS = List.of("jpg", "jpeg", "png");

  /**
   * One sample: its key (the image member's name, so a folder packed as tar keeps its file keys), its
   * image (null when it has none, or when only names were asked for), its class or null, and the
   * name of the member that would be its image, or of its first member when it has none.
   */
  record Sample(String key, byte[] image, String label, boolean hasImage) {}

  private final TarArchiveInputStream tar;
  private final boolean readImages;
  private TarArchiveEntry pending;
  private Sample next;
  private String cutReason;
  private int samples;

  /** @param readImages false to read names only (member data is skipped, not read) */
  TarSamples(InputStream in, boolean readImages) {
    this.tar = new TarArchiveInputStream(in);
    this.readImages = readImages;
  }

  /** Null for a whole shard; else where it was cut short (after how many whole samples, and why). */
  String truncation() {
    return cutReason == null ? null : "cut short after " + samples + " whole samples (" + cutReason + ")";
  }

  @Override
  public boolean hasNext() {
    if (next == null && cutReason == null) {
      next = read();
    }
    return next != null;
  }

  @Override
  public Sample next() {
    if (!hasNext()) {
      throw new NoSuchElementException();
    }
    Sample s = next;
    next = null;
    return s;
  }

  /** The next whole sample, or null at the end (or at a cut, which {@link #truncation} names). */
  private Sample read() {
    try {
      TarArchiveEntry e = pending != null ? pending : nextFile();
      pending = null;
      if (e == null) {
        return null;
      }
      String key = split(e.getName())[0];
      String firstName = e.getName();
      String imageName = null;
      byte[] image = null;
      String label = null;
      while (true) {
        String field = split(e.getName())[1].toLowerCase(Locale.ROOT);
        if (imageName == null && IMAGE_FIELDS.contains(field)) {
          imageName = e.getName();
          if (readImages) {
            image = tar.readAllBytes();
          } else {
            skip(e);
          }
        } else if (field.equals("cls")) {
          label = new String(tar.readAllBytes(), StandardCharsets.UTF_8).trim();
        }
        try {
          e = nextFile();
        } catch (IOException cut) {
          // this sample's members are whole: the shard ends after it
          cutReason = cut.getMessage();
          e = null;
        }
        if (e == null || !split(e.getName())[0].equals(key)) {
          pending = e;
          break;
        }
      }
      samples++;
      return new Sample(imageName != null ? imageName : firstName, image, label, imageName != null);
    } catch (IOException e) {
      cutReason = e.getMessage();
      return null;
    }
  }

  /** Skips a member's data, as a read would fail where it is cut short. */
  private void skip(TarArchiveEntry e) throws IOException {
    if (IOUtils.skip(tar, e.getSize()) != e.getSize()) {
      throw new IOException("Truncated TAR archive");
    }
  }

  private TarArchiveEntry nextFile() throws IOException {
    TarArchiveEntry e;
    do {
      e = tar.getNextTarEntry();
    } while (e != null && !e.isFile());
    return e;
  }

  /** {key, field}; a name without a dot is all key. */
  private static String[] split(String name) {
    Matcher m = MEMBER.matcher(name);
    return m.matches() ? new String[] {m.group(1), m.group(2)} : new String[] {name, ""};
  }

  @Override
  public void close() throws IOException {
    tar.close();
  }
}
