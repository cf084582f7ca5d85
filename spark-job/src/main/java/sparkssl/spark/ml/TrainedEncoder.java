package sparkssl.spark.ml;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.Serializable;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Collections;
import java.util.HexFormat;
import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipArchiveOutputStream;
import org.apache.commons.compress.archivers.zip.ZipFile;
import org.apache.commons.compress.utils.SeekableInMemoryByteChannel;
import org.apache.commons.io.output.CloseShieldOutputStream;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.util.ModelSerializer;
import org.nd4j.linalg.factory.Nd4j;
import sparkssl.model.SslNetwork;
import sparkssl.model.blocks.ConvLayerConversion;

/**
 * A trained encoder as this project ships it: DL4J's model zip plus one entry, {@value #CARD}, that
 * holds the {@link EncoderInput}. The entry is what makes a zip a model of this project: DL4J ignores
 * it, {@link #read} refuses a zip without it. In memory the updater state is left out (embedding never
 * needs it, and it is twice the parameters' size with Adam); the SHA-256 of these bytes names the
 * encoder in the executors' caches.
 */
public final class TrainedEncoder implements Serializable {
  private static final long serialVersionUID = 1L;
  /** The zip entry that describes the encoder's input. */
  public static final String CARD = "spark-ssl-encoder.json";
  /** The file a run directory keeps its latest model in. */
  public static final String MODEL_FILE = "model.zip";
  // 2: the network is a ComputationGraph (1 was a ComputationGraph, read by spark-ssl before backbones)
  private static final int FORMAT_VERSION = 2;
  private static final ObjectMapper JSON = new ObjectMapper();
  /** One timestamp for every zip entry, so that the same network and input always make the same bytes (and id). */
  private static final long ENTRY_TIME = 946684800000L;

  private record Card(@JsonProperty("format_version") int formatVersion, @JsonProperty("input") EncoderInput input) {}

  private final byte[] zip;
  private final EncoderInput input;
  private final int dimension;
  private final String id;

  private TrainedEncoder(byte[] zip, EncoderInput input, int dimension) {
    this.zip = zip;
    this.input = input;
    this.dimension = dimension;
    this.id = sha256(zip);
  }

  /** The encoder of a network in memory, fed images as {@code input} describes. */
  public static TrainedEncoder of(ComputationGraph net, EncoderInput input) throws IOException {
    return new TrainedEncoder(withoutUpdater(net, input), input, dimensionOf(net, input));
  }

  /** Writes a model file: the network with its updater state (so training can go on from it) and the card. */
  public static void write(ComputationGraph net, EncoderInput input, OutputStream out) throws IOException {
    write(net, input, true, out);
  }

  /**
   * Reads the model file at {@code path} (any Hadoop path; a run directory stands for its
   * {@value #MODEL_FILE}). Throws {@link NotAModelException} for anything a train run did not write.
   */
  public static TrainedEncoder read(String path, Configuration hadoopConf) throws IOException {
    Path p = new Path(path);
    FileSystem fs = p.getFileSystem(hadoopConf);
    if (!fs.exists(p)) {
      throw new NotAModelException(path, "no such file");
    }
    if (fs.getFileStatus(p).isDirectory()) {
      if (!fs.exists(new Path(p, MODEL_FILE))) {
        throw new NotAModelException(path, "a directory without " + MODEL_FILE);
      }
      p = new Path(p, MODEL_FILE);
    }
    byte[] bytes;
    try (InputStream in = fs.open(p)) {
      bytes = in.readAllBytes();
    }
    return parse(bytes, p.toString());
  }

  /** The encoder in a model file's bytes; {@code name} is only for messages. */
  static TrainedEncoder parse(byte[] bytes, String name) throws IOException {
    byte[] card;
    boolean withUpdater;
    try (ZipFile zipFile = new ZipFile(new SeekableInMemoryByteChannel(bytes))) {
      withUpdater = zipFile.getEntry(ModelSerializer.UPDATER_BIN) != null;
      ZipArchiveEntry entry = zipFile.getEntry(CARD);
      if (entry == null) {
        throw new NotAModelException(name, zipFile.getEntry(ModelSerializer.CONFIGURATION_JSON) != null
            ? "a DL4J model without spark-ssl's " + CARD + " entry" : "a zip file without " + CARD);
      }
      try (InputStream in = zipFile.getInputStream(entry)) {
        card = in.readAllBytes();
      }
    } catch (NotAModelException e) {
      throw e;
    } catch (IOException e) {
      throw new NotAModelException(name, "not a zip file (" + e.getMessage() + ")");
    }
    Card c;
    try {
      c = JSON.readValue(card, Card.class);
    } catch (IOException e) {
      throw new NotAModelException(name, CARD + " is not readable: " + e.getMessage());
    }
    if (c.formatVersion() != FORMAT_VERSION || c.input() == null) {
      throw new NotAModelException(name, CARD + " has format version " + c.formatVersion() + "; this spark-ssl reads version "
          + FORMAT_VERSION);
    }
    try {
      c.input().pipeline();
    } catch (IllegalArgumentException e) {
      throw new NotAModelException(name, CARD + " describes no valid input: " + e.getMessage());
    }
    ComputationGraph net;
    try {
      net = ModelSerializer.restoreComputationGraph(new ByteArrayInputStream(bytes), false);
    } catch (IOException | RuntimeException e) {
      throw new NotAModelException(name, "DL4J cannot load its network: " + e);
    }
    int dimension;
    try {
      dimension = dimensionOf(ConvLayerConversion.forThisJvm(net), c.input());
    } catch (RuntimeException e) {
      throw new NotAModelException(name, "its network does not embed the " + c.input().channels() + "x" + c.input().imageSize()
          + "x" + c.input().imageSize() + " images " + CARD + " describes: " + e.getMessage());
    }
    // a file without updater state (as EncoderModel saves one) is kept byte for byte: its id survives save and load
    return new TrainedEncoder(withUpdater ? withoutUpdater(net, c.input()) : bytes, c.input(), dimension);
  }

  /** The model file's bytes (DL4J's zip with the card, no updater state). */
  public byte[] bytes() {
    return zip.clone();
  }

  public EncoderInput input() {
    return input;
  }

  /** Length of the embedding vector. */
  public int dimension() {
    return dimension;
  }

  /** SHA-256 of {@link #bytes}: equal ids, equal encoders. */
  public String id() {
    return id;
  }

  /**
   * The same encoder at the weights its training started from: a model's configuration holds the seed
   * its weights were drawn with, so a fresh network of that configuration draws them again.
   */
  public TrainedEncoder atInitialisation() throws IOException {
    ComputationGraph fresh = new ComputationGraph(network().getConfiguration().clone());
    fresh.init();
    return of(fresh, input);
  }

  /** The network, built anew from the bytes with the convolution layers this JVM runs best (the bytes keep the trained ones). */
  ComputationGraph network() throws IOException {
    return ConvLayerConversion.forThisJvm(ModelSerializer.restoreComputationGraph(new ByteArrayInputStream(zip), false));
  }

  /** The bytes themselves, not a copy: what the executors' broadcast carries. */
  byte[] sharedBytes() {
    return zip;
  }

  private static byte[] withoutUpdater(ComputationGraph net, EncoderInput input) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    write(net, input, false, out);
    return out.toByteArray();
  }

  /** DL4J's zip, its entries copied as they are (no second compression) with a fixed time, and the card after them. */
  private static void write(ComputationGraph net, EncoderInput input, boolean withUpdater, OutputStream out) throws IOException {
    ByteArrayOutputStream dl4j = new ByteArrayOutputStream();
    ModelSerializer.writeModel(net, dl4j, withUpdater);
    try (ZipFile model = new ZipFile(new SeekableInMemoryByteChannel(dl4j.toByteArray()));
        ZipArchiveOutputStream zip = new ZipArchiveOutputStream(CloseShieldOutputStream.wrap(out))) {
      for (ZipArchiveEntry entry : Collections.list(model.getEntriesInPhysicalOrder())) {
        ZipArchiveEntry copy = new ZipArchiveEntry(entry);
        copy.setTime(ENTRY_TIME);
        zip.addRawArchiveEntry(copy, model.getRawInputStream(entry));
      }
      ZipArchiveEntry card = new ZipArchiveEntry(CARD);
      card.setTime(ENTRY_TIME);
      zip.putArchiveEntry(card);
      zip.write(JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(new Card(FORMAT_VERSION, input)));
      zip.closeArchiveEntry();
    }
  }

  /** Runs one blank image through the network: the embedding's length, and proof the input fits. */
  private static int dimensionOf(ComputationGraph net, EncoderInput input) {
    return (int) SslNetwork.embed(net, Nd4j.zeros(1, input.channels(), input.imageSize(), input.imageSize())).size(1);
  }

  private static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java has SHA-256", e);
    }
  }
}
