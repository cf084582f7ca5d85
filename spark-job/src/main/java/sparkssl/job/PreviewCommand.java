package sparkssl.job;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import javax.imageio.ImageIO;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import sparkssl.augment.ContactSheet;
import sparkssl.spark.corpus.CorpusFiles;
import sparkssl.augment.Image;
import sparkssl.augment.ImageDecodeException;
import sparkssl.augment.ViewOptions;
import sparkssl.augment.ViewPipeline;

/**
 * {@code spark-ssl preview}: a PNG contact sheet of what the model will see, without a Spark job.
 * Views are keyed by the same path string Spark's binaryFile source gives, so with the same seed,
 * epoch and settings they are exactly the views training uses.
 */
@Command(name = "preview", mixinStandardHelpOptions = true, sortOptions = false,
    description = "Write a PNG contact sheet: for N images spread over a corpus (in path order), the original and its views.")
final class PreviewCommand implements Callable<Integer> {
  @Option(names = "--corpus", paramLabel = "PATH",
      description = "Images (PNG/JPEG, recursive) on any Hadoop path. Default: the bundled sample's train folder.")
  String corpus;

  @Option(names = "--out", paramLabel = "FILE", defaultValue = "preview.png", description = "Local PNG to write (default: ${DEFAULT-VALUE}).")
  java.nio.file.Path out;

  @Option(names = "--images", defaultValue = "8", description = "Rows: images shown (default: ${DEFAULT-VALUE}).")
  int images;

  @Option(names = "--epoch", defaultValue = "1", description = "Epoch whose views are shown (default: ${DEFAULT-VALUE}).")
  int epoch;

  @Option(names = "--seed", defaultValue = "42", description = "Seed of the views, as train's --seed (default: ${DEFAULT-VALUE}).")
  long seed;

  @Option(names = "--conf", paramLabel = "KEY=VALUE",
      description = "Hadoop setting for reading the corpus, repeatable; spark.hadoop.* keys as train takes them.")
  Map<String, String> conf = new LinkedHashMap<>();

  @Mixin
  ViewConfig views = new ViewConfig();

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    String problem = views.problem(seed);
    if (problem == null && images < 1) problem = "--images must be >= 1, got " + images;
    if (problem != null) {
      throw new CommandLine.ParameterException(spec.commandLine(), problem);
    }
    ViewOptions o = views.viewOptions(seed);
    ViewPipeline pipeline = new ViewPipeline(o);
    Path root = new Path(corpus != null ? corpus : JobConfig.sample("train"));
    FileSystem fs = root.getFileSystem(hadoopConf());
    ContactSheet sheet = new ContactSheet(ContactSheet.zoomFor(o.size));
    int shown = 0;
    int skipped = 0;
    for (Path file : spread(imagesUnder(fs, root))) {
      if (shown == images) {
        break;
      }
      byte[] bytes;
      try (InputStream in = fs.open(file)) {
        bytes = in.readAllBytes();
      }
      Image img;
      try {
        img = pipeline.decode(bytes);
      } catch (ImageDecodeException e) {
        skipped++;
        continue;
      }
      ViewPipeline.Views v = pipeline.render(img, file.toString(), epoch, true);
      List<Image> row = new ArrayList<>();
      row.add(pipeline.whole(img));
      row.addAll(ContactSheet.tiles(v.global(), o.numViews, o.channels, o.size));
      if (v.local() != null) {
        row.addAll(ContactSheet.tiles(v.local(), o.localCrops, o.channels, o.localSize));
      }
      sheet.addRow(row);
      shown++;
    }
    if (shown == 0) {
      throw new IOException("no decodable PNG/JPEG under " + root + (skipped > 0 ? " (" + skipped + " undecodable)" : ""));
    }
    if (out.toAbsolutePath().getParent() != null) {
      Files.createDirectories(out.toAbsolutePath().getParent());
    }
    ImageIO.write(sheet.render(), "png", out.toFile());
    spec.commandLine().getOut().printf(Locale.ROOT, "%s: %d images x (original, %d views%s), epoch %d, %s%s%n",
        out, shown, o.numViews, o.localCrops > 0 ? " + " + o.localCrops + " local" : "", epoch, o,
        skipped > 0 ? "; " + skipped + " undecodable files skipped" : "");
    return 0;
  }

  private Configuration hadoopConf() {
    Configuration c = new Configuration();
    conf.forEach((k, v) -> c.set(k.startsWith("spark.hadoop.") ? k.substring("spark.hadoop.".length()) : k, v));
    return c;
  }

  /** Every file once, in an order that starts with evenly spaced ones, so the first rows cover the corpus. */
  private List<Path> spread(List<Path> files) {
    int stride = Math.max(1, files.size() / images);
    List<Path> order = new ArrayList<>();
    for (int start = 0; start < stride; start++) {
      for (int i = start; i < files.size(); i += stride) {
        order.add(files.get(i));
      }
    }
    return order;
  }

  /** Image files under {@code root} in path order (the first 100,000 listed, so a huge bucket stays cheap). */
  private static List<Path> imagesUnder(FileSystem fs, Path root) throws IOException {
    List<Path> files = new ArrayList<>();
    CorpusFiles.forEach(fs, root, f -> {
      if (CorpusFiles.isImage(f.getPath().getName())) {
        files.add(f.getPath());
      }
      return files.size() < 100_000;
    });
    files.sort(null);
    return files;
  }
}
