package sparkssl.job;

import java.awt.image.BufferedImage;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.concurrent.Callable;
import java.util.zip.GZIPInputStream;
import javax.imageio.ImageIO;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code spark-ssl prepare-fashion-mnist}: turns Debian's {@code dataset-fashion-mnist} (installed
 * with apt-get when missing) into image folders {@code train/<class>/<n>.png} and
 * {@code test/<class>/<n>.png}, optionally a class-balanced subset.
 */
@Command(name = "prepare-fashion-mnist", mixinStandardHelpOptions = true,
    description = "Write Fashion-MNIST as PNG image folders (class = folder name) for training and k-NN evaluation.")
final class FashionMnistCommand implements Callable<Integer> {
  static final String[] CLASSES = {"t-shirt_top", "trouser", "pullover", "dress", "coat",
      "sandal", "shirt", "sneaker", "bag", "ankle_boot"};
  private static final String PACKAGE = "dataset-fashion-mnist";

  @Option(names = "--out", paramLabel = "DIR", defaultValue = "data/fashion-mnist",
      description = "Output folder (default: ${DEFAULT-VALUE}).")
  Path out;

  @Option(names = "--source", paramLabel = "DIR", defaultValue = "/usr/share/datasets/fashion-mnist",
      description = "Folder with the IDX .gz files (default: ${DEFAULT-VALUE}).")
  Path source;

  @Option(names = "--train-per-class", defaultValue = "0",
      description = "Train images per class, the first ones in file order; 0 = all 6000 (default: ${DEFAULT-VALUE}).")
  int trainPerClass;

  @Option(names = "--test-per-class", defaultValue = "0",
      description = "Test images per class; 0 = all 1000 (default: ${DEFAULT-VALUE}).")
  int testPerClass;

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    if (trainPerClass < 0 || testPerClass < 0) {
      throw new CommandLine.ParameterException(spec.commandLine(), "per-class counts must be >= 0");
    }
    ensureInstalled();
    int train = write("train", trainPerClass);
    int test = write("t10k", testPerClass);
    spec.commandLine().getOut().printf("wrote %d train and %d test images under %s%n", train, test, out.toAbsolutePath());
    return 0;
  }

  private void ensureInstalled() throws IOException, InterruptedException {
    if (Files.exists(source.resolve("train-images-idx3-ubyte.gz"))) {
      return;
    }
    if (!source.equals(Paths.get("/usr/share/datasets/fashion-mnist"))) {
      throw new IOException("no Fashion-MNIST IDX files in " + source);
    }
    spec.commandLine().getErr().println("installing Debian package " + PACKAGE + " ...");
    String sudo = "root".equals(System.getProperty("user.name")) ? "" : "sudo ";
    Process p = new ProcessBuilder("sh", "-c",
        sudo + "apt-get update -qq && " + sudo + "env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq " + PACKAGE)
        .inheritIO().start();
    if (p.waitFor() != 0 || !Files.exists(source.resolve("train-images-idx3-ubyte.gz"))) {
      throw new IOException("could not install " + PACKAGE + "; install it with apt-get and retry");
    }
  }

  /** Writes the split; IDX files are a big-endian header followed by raw uint8 pixels / labels. */
  private int write(String split, int perClass) throws IOException {
    String folder = split.equals("t10k") ? "test" : "train";
    try (DataInputStream images = open(split + "-images-idx3-ubyte.gz");
         DataInputStream labels = open(split + "-labels-idx1-ubyte.gz")) {
      if (images.readInt() != 2051 || labels.readInt() != 2049) {
        throw new IOException("not IDX files: " + source);
      }
      int n = images.readInt();
      int rows = images.readInt();
      int cols = images.readInt();
      labels.readInt();
      int[] perClassCount = new int[CLASSES.length];
      byte[] pixels = new byte[rows * cols];
      int written = 0;
      for (int i = 0; i < n; i++) {
        images.readFully(pixels);
        int label = labels.readUnsignedByte();
        if (perClass > 0 && perClassCount[label] >= perClass) {
          continue;
        }
        BufferedImage img = new BufferedImage(cols, rows, BufferedImage.TYPE_BYTE_GRAY);
        img.getRaster().setDataElements(0, 0, cols, rows, pixels);
        Path dir = out.resolve(folder).resolve(CLASSES[label]);
        Files.createDirectories(dir);
        ImageIO.write(img, "png", dir.resolve(String.format("%05d.png", i)).toFile());
        perClassCount[label]++;
        written++;
      }
      return written;
    }
  }

  private DataInputStream open(String name) throws IOException {
    InputStream in = Files.newInputStream(source.resolve(name));
    return new DataInputStream(new GZIPInputStream(in, 1 << 16));
  }
}
