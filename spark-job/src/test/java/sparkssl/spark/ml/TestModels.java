package sparkssl.spark.ml;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.deeplearning4j.nn.graph.ComputationGraph;
import sparkssl.augment.ViewOptions;
import sparkssl.augment.ViewPresets;
import sparkssl.model.ModelOptions;
import sparkssl.model.SslNetwork;

/** Model files and image folders for the transformer's tests: real networks (untrained), real PNGs of the bundled sample. */
final class TestModels {
  static final Path SAMPLE = Paths.get("..", "data", "sample", "fashion-mnist").toAbsolutePath().normalize();

  private TestModels() {}

  /** The input of a 28 px grey model trained with the simclr preset: ImageNet normalisation, averaged to one channel. */
  static EncoderInput simclrInput() {
    ViewOptions views = ViewPresets.get("simclr");
    views.size = 28;
    views.channels = 1;
    return EncoderInput.of(views);
  }

  static ComputationGraph network(long seed) {
    ModelOptions o = new ModelOptions();
    o.seed = seed;
    return SslNetwork.create(o);
  }

  /** Writes a model file as train writes one, and returns its path. */
  static Path modelFile(Path dir, ComputationGraph net, EncoderInput input) throws IOException {
    Path file = dir.resolve("model-" + net.getConfiguration().getDefaultConfiguration().getSeed() + ".zip");
    try (OutputStream out = Files.newOutputStream(file)) {
      TrainedEncoder.write(net, input, out);
    }
    return file;
  }

  /** The first {@code perClass} images of every class folder of the sample's {@code split}, copied to {@code to}. */
  static List<Path> copySample(String split, Path to, int perClass) throws IOException {
    try (Stream<Path> classes = Files.list(SAMPLE.resolve(split))) {
      for (Path cls : classes.filter(Files::isDirectory).sorted().collect(Collectors.toList())) {
        Path dst = Files.createDirectories(to.resolve(cls.getFileName()));
        try (Stream<Path> files = Files.list(cls)) {
          for (Path f : files.sorted().limit(perClass).collect(Collectors.toList())) {
            Files.copy(f, dst.resolve(f.getFileName()));
          }
        }
      }
    }
    try (Stream<Path> all = Files.walk(to)) {
      return all.filter(p -> p.toString().endsWith(".png")).sorted().collect(Collectors.toList());
    }
  }
}
