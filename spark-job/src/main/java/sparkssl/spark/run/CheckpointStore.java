package sparkssl.spark.run;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipArchiveOutputStream;
import org.apache.commons.compress.archivers.zip.ZipFile;
import org.apache.commons.compress.utils.SeekableInMemoryByteChannel;
import org.apache.commons.io.output.CloseShieldOutputStream;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sparkssl.model.ModelIO;

/**
 * The checkpoints of one run, in its {@code checkpoints/} folder.
 *
 * <p>Publishing a checkpoint writes it whole under a name of its own, {@code epoch-NNNN-XXXXXXXX.zip},
 * checks its length, then replaces {@code latest.json} (see {@link CheckpointManifest}) in one step
 * with a list that names it first; only then are checkpoints beyond the newest {@code keep} deleted,
 * with any file a failed write left behind. A checkpoint is the network's model zip (DL4J's entries,
 * with the updater state, and whatever else its writer adds) with {@code progress.json}
 * ({@link TrainingProgress}) and the named {@link Checkpoint.Part}s ({@code parts/NAME}) added, so a
 * checkpoint loads wherever a model file does.
 *
 * <p>Loading takes the newest listed checkpoint whose length and SHA-256 match the manifest and that
 * parses, and falls back to the older listed ones in turn.
 */
public final class CheckpointStore {
  public static final String MANIFEST = "latest.json";
  public static final String PROGRESS = "progress.json";
  /** Where the named parts go in a checkpoint zip. */
  private static final String PARTS = "parts/";
  private static final Logger LOG = LoggerFactory.getLogger(CheckpointStore.class);
  static final ObjectMapper JSON = new ObjectMapper().setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE);
  private static final Pattern CHECKPOINT_FILE = Pattern.compile("epoch-\\d{4,}-[0-9a-f]{8}\\.zip");
  /** What {@link AtomicWrites#replace} writes before its rename; one left behind was never renamed. */
  private static final Pattern UNFINISHED_MANIFEST = Pattern.compile("\\." + Pattern.quote(MANIFEST) + "\\..*\\.tmp");

  private final AtomicWrites files;
  private final Path dir;
  private final int keep;

  /** The store in folder {@code dir}, keeping the newest {@code keep} checkpoints. */
  public CheckpointStore(FileSystem fs, Path dir, int keep) {
    if (keep < 1) {
      throw new IllegalArgumentException("keep must be >= 1, got " + keep);
    }
    this.files = new AtomicWrites(fs);
    this.dir = dir;
    this.keep = keep;
  }

  public Path dir() {
    return dir;
  }

  /** The published list; an empty one when nothing was published yet. */
  public CheckpointManifest manifest() throws IOException {
    Path path = new Path(dir, MANIFEST);
    byte[] bytes;
    try (InputStream in = files.fs().open(path)) {
      bytes = in.readAllBytes();
    } catch (FileNotFoundException e) {
      return new CheckpointManifest(CheckpointManifest.FORMAT, List.of());
    }
    CheckpointManifest manifest;
    try {
      manifest = JSON.readValue(bytes, CheckpointManifest.class);
    } catch (JsonProcessingException e) {
      throw new IOException(path + " is not a checkpoint manifest: " + e.getOriginalMessage(), e);
    }
    if (manifest.format() != CheckpointManifest.FORMAT) {
      throw new IOException(path + " has format " + manifest.format() + "; this version reads format " + CheckpointManifest.FORMAT);
    }
    return manifest;
  }

  /**
   * Writes a checkpoint at {@code progress}, of the network whose model zip (with its updater state)
   * {@code network} writes, with the further named {@code parts}; publishes it, then deletes what the
   * manifest no longer lists. Returns the published entry.
   */
  public CheckpointManifest.Entry publish(TrainingProgress progress, StreamContent network, List<Checkpoint.Part> parts)
      throws IOException {
    for (Checkpoint.Part part : parts) {
      if (part.name().isEmpty() || part.name().contains("/")) {
        throw new IllegalArgumentException("checkpoint part name '" + part.name() + "' is not a file name");
      }
    }
    String name = String.format("epoch-%04d-%08x.zip", progress.epoch(), ThreadLocalRandom.current().nextInt());
    Path path = new Path(dir, name);
    AtomicWrites.Written written = files.writeNew(path, out -> writeCheckpoint(out, progress, network, parts));
    long stored = files.fs().getFileStatus(path).getLen();
    if (stored != written.bytes()) {
      throw new IOException(path + " holds " + stored + " bytes after " + written.bytes() + " were written: not published");
    }
    CheckpointManifest.Entry entry = new CheckpointManifest.Entry(progress.epoch(), progress.globalStep(), name,
        written.bytes(), written.sha256());
    List<CheckpointManifest.Entry> listed = new ArrayList<>(List.of(entry));
    // an entry of this epoch or later can only be one that failed to load when the run resumed before it
    manifest().checkpoints().stream().filter(e -> e.epoch() < progress.epoch()).limit(keep - 1L).forEach(listed::add);
    byte[] manifest = JSON.writerWithDefaultPrettyPrinter()
        .writeValueAsBytes(new CheckpointManifest(CheckpointManifest.FORMAT, listed));
    files.replace(new Path(dir, MANIFEST), out -> out.write(manifest));
    deleteUnlisted(listed.stream().map(CheckpointManifest.Entry::file).collect(Collectors.toSet()));
    return entry;
  }

  /**
   * The newest published checkpoint that is whole and loads, else the newest older one that does;
   * empty when none was published. Throws when checkpoints were published and none of them loads.
   */
  public Optional<Checkpoint> loadLatest() throws IOException {
    List<String> problems = new ArrayList<>();
    for (CheckpointManifest.Entry entry : manifest().checkpoints()) {
      try {
        return Optional.of(load(entry));
      } catch (IOException | RuntimeException e) {
        LOG.warn("checkpoint {} of epoch {} is not usable ({}); trying the one before", entry.file(), entry.epoch(), e.getMessage());
        problems.add(entry.file() + ": " + e.getMessage());
      }
    }
    if (!problems.isEmpty()) {
      throw new IOException("no usable checkpoint in " + dir + " (" + String.join("; ", problems) + ")");
    }
    return Optional.empty();
  }

  /** One published checkpoint, checked against its manifest entry. */
  Checkpoint load(CheckpointManifest.Entry entry) throws IOException {
    Path path = new Path(dir, entry.file());
    long length = files.fs().getFileStatus(path).getLen();
    if (length != entry.bytes()) {
      throw new IOException("holds " + length + " bytes, the manifest says " + entry.bytes());
    }
    if (length > Integer.MAX_VALUE - 8) {
      throw new IOException("checkpoints over 2 GiB are not supported");
    }
    byte[] bytes = new byte[(int) length];
    try (FSDataInputStream in = files.fs().open(path)) {
      in.readFully(bytes);
    }
    MessageDigest sha = AtomicWrites.sha256();
    String digest = HexFormat.of().formatHex(sha.digest(bytes));
    if (!digest.equals(entry.sha256())) {
      throw new IOException("SHA-256 " + digest + " differs from the manifest's " + entry.sha256());
    }
    TrainingProgress progress = null;
    Map<String, byte[]> parts = new HashMap<>();
    try (ZipInputStream zip = new ZipInputStream(new ByteArrayInputStream(bytes))) {
      for (ZipEntry e = zip.getNextEntry(); e != null; e = zip.getNextEntry()) {
        if (e.getName().equals(PROGRESS)) {
          progress = JSON.readValue(zip.readAllBytes(), TrainingProgress.class);
        } else if (e.getName().startsWith(PARTS)) {
          parts.put(e.getName().substring(PARTS.length()), zip.readAllBytes());
        }
      }
    }
    if (progress == null) {
      throw new IOException("lacks " + PROGRESS);
    }
    // DL4J reads its own entries and passes over the others
    ComputationGraph network = ModelIO.read(new ByteArrayInputStream(bytes));
    if (progress.epoch() != entry.epoch() || progress.globalStep() != network.getIterationCount()) {
      throw new IOException("holds epoch " + progress.epoch() + ", step " + progress.globalStep() + " and a network at step "
          + network.getIterationCount() + "; the manifest says epoch " + entry.epoch());
    }
    return new Checkpoint(entry, progress, network, parts);
  }

  /** The network's model zip, its entries copied as they are, then the progress and the parts. */
  private static void writeCheckpoint(OutputStream out, TrainingProgress progress, StreamContent network,
      List<Checkpoint.Part> parts) throws IOException {
    ByteArrayOutputStream model = new ByteArrayOutputStream();
    network.write(model);
    try (ZipFile modelZip = new ZipFile(new SeekableInMemoryByteChannel(model.toByteArray()));
        ZipArchiveOutputStream zip = new ZipArchiveOutputStream(CloseShieldOutputStream.wrap(out))) {
      for (ZipArchiveEntry entry : Collections.list(modelZip.getEntriesInPhysicalOrder())) {
        zip.addRawArchiveEntry(new ZipArchiveEntry(entry), modelZip.getRawInputStream(entry));
      }
      part(zip, PROGRESS, o -> o.write(JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(progress)));
      for (Checkpoint.Part p : parts) {
        part(zip, PARTS + p.name(), p.content());
      }
    }
  }

  private static void part(ZipArchiveOutputStream zip, String name, StreamContent content) throws IOException {
    zip.putArchiveEntry(new ZipArchiveEntry(name));
    content.write(CloseShieldOutputStream.wrap(zip));
    zip.closeArchiveEntry();
  }

  /** Deletes checkpoints the manifest no longer lists and what failed writes left behind. */
  private void deleteUnlisted(Set<String> listed) {
    try {
      for (FileStatus f : files.fs().listStatus(dir)) {
        String name = f.getPath().getName();
        boolean stale = CHECKPOINT_FILE.matcher(name).matches() && !listed.contains(name);
        if (stale || UNFINISHED_MANIFEST.matcher(name).matches()) {
          files.fs().delete(f.getPath(), false);
        }
      }
    } catch (IOException e) {
      LOG.warn("could not delete old checkpoints in {} ({}); the next checkpoint tries again", dir, e.getMessage());
    }
  }
}
