package sparkssl.job.bench;

import com.fasterxml.jackson.databind.JsonNode;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageOutputStream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import sparkssl.augment.Image;
import sparkssl.augment.ViewOptions;
import sparkssl.augment.ViewPipeline;
import sparkssl.augment.ViewPresets;

/**
 * {@code spark-ssl benchmark-augment}: the {@code simclr} two-view pipeline on one core, against
 * torchvision's equivalent ({@code deploy/bench/torchvision_augment.py}) on the same files in the
 * same invocation. A benchmark, not a test.
 */
@Command(name = "benchmark-augment", mixinStandardHelpOptions = true, sortOptions = false,
    description = "Images/s per core of the simclr two-view pipeline, spark-ssl vs torchvision 0.14, decode included and excluded.")
public final class AugmentBenchmarkCommand implements Callable<Integer> {
  @Option(names = "--sizes", split = ",", defaultValue = "32,224",
      description = "Square input and view sizes; up to 64 px as PNG (CIFAR-like), larger as JPEG (ImageNet-like) (default: ${DEFAULT-VALUE}).")
  int[] sizes;

  @Option(names = "--images", defaultValue = "64", description = "Distinct synthetic images per size, cycled (default: ${DEFAULT-VALUE}).")
  int images;

  @Option(names = "--seconds", defaultValue = "5", description = "Measured seconds per row and side (default: ${DEFAULT-VALUE}).")
  double seconds;

  @Mixin
  PythonPeer.Interpreter python = new PythonPeer.Interpreter();

  @Override
  public Integer call() throws Exception {
    System.out.printf(Locale.ROOT, "%-5s %-6s %-14s %12s %14s %7s %16s %7s%n", "size", "format", "decode",
        "spark-ssl/s", "tv PIL/s", "ratio", "tv tensor/s", "ratio");
    try (ScratchDirectory dir = ScratchDirectory.create("sparkssl-augbench")) {
      for (int size : sizes) {
        bench(size, dir.path().resolve(String.valueOf(size)));
      }
    }
    System.out.println("images/s on one core (1 thread each), 2 views per image; ratio = spark-ssl / torchvision");
    return 0;
  }

  private void bench(int size, Path dir) throws Exception {
    ViewOptions o = ViewPresets.get("simclr");
    o.size = size;
    o.channels = 3;
    ViewPipeline pipeline = new ViewPipeline(o);
    String format = size <= 64 ? "png" : "jpg";
    Files.createDirectories(dir);
    List<byte[]> raw = new ArrayList<>();
    List<Image> decoded = new ArrayList<>();
    SplittableRandom rnd = new SplittableRandom(size);
    for (int i = 0; i < images; i++) {
      byte[] bytes = encode(synthetic(size, rnd), format);
      Files.write(dir.resolve(String.format(Locale.ROOT, "%04d.%s", i, format)), bytes);
      raw.add(bytes);
      decoded.add(pipeline.decode(bytes));
    }
    double withDecode = rate(i -> pipeline.render(raw.get(i % raw.size()), "img" + (i % raw.size()), i, false));
    double decodedOnly = rate(i -> pipeline.render(decoded.get(i % decoded.size()), "img" + (i % decoded.size()), i, false));
    JsonNode tv = PythonPeer.run(python, "torchvision_augment.py", List.of("--dir", dir.toString(),
        "--size", String.valueOf(size), "--seconds", String.valueOf(seconds),
        "--crop-min", String.valueOf(o.cropScaleMin), "--flip-p", String.valueOf(o.flipProbability),
        "--jitter-p", String.valueOf(o.jitterProbability), "--brightness", String.valueOf(o.brightness),
        "--contrast", String.valueOf(o.contrast), "--saturation", String.valueOf(o.saturation),
        "--hue", String.valueOf(o.hue), "--grayscale-p", String.valueOf(o.grayscaleProbability),
        "--blur-p", String.valueOf(o.blurProbability[0]), "--sigma-min", String.valueOf(o.blurSigmaMin),
        "--sigma-max", String.valueOf(o.blurSigmaMax), "--solarize-p", String.valueOf(o.solarizeProbability[0])));
    row(size, format, "included", withDecode, tv.get("pil_with_decode").asDouble(), tv.get("tensor_with_decode").asDouble());
    row(size, format, "excluded", decodedOnly, tv.get("pil_decoded").asDouble(), tv.get("tensor_decoded").asDouble());
  }

  private static void row(int size, String format, String decode, double ours, double pil, double tensor) {
    System.out.printf(Locale.ROOT, "%-5d %-6s %-14s %12.0f %14.0f %6.2fx %16.0f %6.2fx%n",
        size, format, decode, ours, pil, ours / pil, tensor, ours / tensor);
  }

  private interface Step {
    void run(int i) throws Exception;
  }

  /** Images per second over at least {@code seconds}, after a warm-up that lets the JIT compile. */
  private double rate(Step step) throws Exception {
    double result = 0;
    for (double limit : new double[] {2.0, seconds}) {
      int n = 0;
      long start = System.nanoTime();
      while ((System.nanoTime() - start) / 1e9 < limit) {
        step.run(n++);
      }
      result = n / ((System.nanoTime() - start) / 1e9);
    }
    return result;
  }

  /** Colour gradients, a few saturated rectangles and pixel noise: content every transform changes. */
  private static BufferedImage synthetic(int size, SplittableRandom rnd) {
    BufferedImage img = new BufferedImage(size, size, BufferedImage.TYPE_INT_RGB);
    int[] base = {rnd.nextInt(256), rnd.nextInt(256), rnd.nextInt(256)};
    int[][] boxes = new int[4][];
    for (int b = 0; b < boxes.length; b++) {
      int x = rnd.nextInt(size);
      int y = rnd.nextInt(size);
      boxes[b] = new int[] {x, y, x + 1 + rnd.nextInt(size / 2), y + 1 + rnd.nextInt(size / 2), rnd.nextInt(1 << 24)};
    }
    for (int y = 0; y < size; y++) {
      for (int x = 0; x < size; x++) {
        int rgb = clamp(base[0] + 128 * x / size - 64) << 16 | clamp(base[1] + 128 * y / size - 64) << 8
            | clamp(base[2] + 64 - 128 * (x + y) / (2 * size));
        for (int[] b : boxes) {
          if (x >= b[0] && x < b[2] && y >= b[1] && y < b[3]) {
            rgb = b[4];
          }
        }
        int noise = rnd.nextInt(25) - 12;
        img.setRGB(x, y, clamp((rgb >> 16 & 0xff) + noise) << 16 | clamp((rgb >> 8 & 0xff) + noise) << 8 | clamp((rgb & 0xff) + noise));
      }
    }
    return img;
  }

  private static int clamp(int v) {
    return Math.max(0, Math.min(255, v));
  }

  private static byte[] encode(BufferedImage img, String format) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    if (format.equals("png")) {
      ImageIO.write(img, "png", out);
      return out.toByteArray();
    }
    ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
    ImageWriteParam param = writer.getDefaultWriteParam();
    param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
    param.setCompressionQuality(0.9f);
    try (ImageOutputStream ios = ImageIO.createImageOutputStream(out)) {
      writer.setOutput(ios);
      writer.write(null, new IIOImage(img, null, null), param);
    } finally {
      writer.dispose();
    }
    return out.toByteArray();
  }
}
