package sparkssl.deploy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/** Small slices of the bundled Fashion-MNIST sample, so a cluster run takes seconds, not minutes. */
final class Sample {
  static final Path FASHION_MNIST = Processes.ROOT.resolve("data/sample/fashion-mnist");

  private Sample() {}

  /** Copies the first {@code perClass} images (by name) of every class folder of the sample's {@code split}. */
  static Path slice(String split, Path to, int perClass) throws IOException {
    try (Stream<Path> classes = Files.list(FASHION_MNIST.resolve(split))) {
      for (Path cls : classes.filter(Files::isDirectory).sorted().collect(Collectors.toList())) {
        Path dst = Files.createDirectories(to.resolve(cls.getFileName()));
        try (Stream<Path> files = Files.list(cls)) {
          for (Path f : files.sorted().limit(perClass).collect(Collectors.toList())) {
            Files.copy(f, dst.resolve(f.getFileName()));
          }
        }
      }
    }
    return to;
  }

  /** The PNG files under {@code dir}, sorted. */
  static List<Path> images(Path dir) throws IOException {
    try (Stream<Path> s = Files.walk(dir)) {
      return s.filter(p -> p.toString().endsWith(".png")).sorted().collect(Collectors.toList());
    }
  }
}
