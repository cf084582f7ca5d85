package sparkssl.augment;

import static org.apache.spark.sql.functions.call_udf;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.zip.CRC32;
import java.util.zip.GZIPOutputStream;
import javax.imageio.ImageIO;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import sparkssl.augment.ImageDecodeException.Kind;

/**
 * A corpus of good images mixed with broken and unusual files goes through {@code ssl_views} on a
 * local Spark, read the way the job reads it (binaryFile, recursive). Every good image gets views,
 * every bad file an error of the expected kind, and the job completes: local[2] retries nothing, so
 * one exception out of a task would fail collect().
 *
 * <p>Spark's binaryFile source never emits zero-byte files, so no UDF can count them; the job counts
 * them with a listing of its own (sparkssl.job.Corpus). This test pins that behaviour down.
 */
class BadCorpusSparkTest {
  private static SparkSession spark;
  private static final ViewOptions OPTIONS = new ViewOptions();

  static {
    OPTIONS.channels = 3;
  }

  @BeforeAll
  static void start() {
    spark = SparkSession.builder().master("local[2]").appName("bad-corpus-test")
        .config("spark.ui.enabled", "false").config("spark.driver.host", "127.0.0.1")
        .config("spark.driver.bindAddress", "127.0.0.1").getOrCreate();
    SslViewsUdf.register(spark, OPTIONS);
  }

  @AfterAll
  static void stop() {
    spark.stop();
  }

  private static byte[] fixture(String name) throws IOException {
    return ImageDecoderTest.fixture(name);
  }

  private static byte[] encode(BufferedImage img, String format) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    assertTrue(ImageIO.write(img, format, out), format);
    return out.toByteArray();
  }

  private static byte[] chunk(String type, byte[] data) {
    ByteBuffer b = ByteBuffer.allocate(12 + data.length);
    b.putInt(data.length).put(type.getBytes(StandardCharsets.US_ASCII)).put(data);
    CRC32 crc = new CRC32();
    crc.update(b.array(), 4, 4 + data.length);
    return b.putInt((int) crc.getValue()).array();
  }

  /** A PNG with only a signature, an IHDR for {@code w x h} 8-bit RGB, and the given tail. */
  private static byte[] pngHeader(int w, int h, byte[]... tail) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'});
    out.writeBytes(chunk("IHDR", ByteBuffer.allocate(13).putInt(w).putInt(h).put((byte) 8).put((byte) 2).array()));
    for (byte[] t : tail) {
      out.writeBytes(t);
    }
    return out.toByteArray();
  }

  /** Offset of the first occurrence of {@code type}'s chunk data in a PNG. */
  private static int chunkData(byte[] png, String type) {
    byte[] t = type.getBytes(StandardCharsets.US_ASCII);
    for (int i = 8; i + 8 <= png.length; i++) {
      if (Arrays.equals(png, i, i + 4, t, 0, 4)) {
        return i + 4;
      }
    }
    throw new AssertionError("no " + type);
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] out = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  private static byte[] random(int n, long seed) {
    byte[] b = new byte[n];
    new SplittableRandom(seed).nextBytes(b);
    return b;
  }

  private static Map<String, byte[]> goodFiles() throws IOException {
    Map<String, byte[]> good = new LinkedHashMap<>();
    for (String f : List.of("rgb.png", "rgba.png", "grey_alpha.png", "palette_trns.png", "grey16.png",
        "rgb16.png", "rgb420.jpg", "progressive.jpg", "cmyk.jpg", "ycck.jpg", "exif_ii_6.jpg", "exif_mm_8.jpg")) {
      good.put("good/" + f, fixture(f));
    }
    good.put("good/UPPER.PNG", fixture("rgb.png"));
    good.put("good/UPPER.JPEG", fixture("grey.jpg"));
    good.put("good/deep/a/b/nested.jpg", fixture("rgb444.jpg"));
    good.put("good/one_pixel.png", encode(new BufferedImage(1, 1, BufferedImage.TYPE_INT_RGB), "png"));
    good.put("good/tall_1x2000.png", encode(new BufferedImage(1, 2000, BufferedImage.TYPE_BYTE_GRAY), "png"));
    good.put("good/wide_2000x1.jpg", encode(new BufferedImage(2000, 1, BufferedImage.TYPE_3BYTE_BGR), "jpeg"));
    good.put("good/png_named.jpg", fixture("rgb.png"));
    good.put("good/junk_after_iend.png", concat(fixture("rgb.png"), random(64, 1)));
    good.put("good/junk_after_eoi.jpg", concat(fixture("rgb420.jpg"), random(64, 2)));
    return good;
  }

  /** Bad files with the kind each must be rejected as. */
  private static Map<String, Map.Entry<byte[], Kind>> badFiles() throws IOException {
    Map<String, Map.Entry<byte[], Kind>> bad = new LinkedHashMap<>();
    byte[] png = fixture("rgb.png");
    byte[] jpg = fixture("rgb420.jpg");

    bad.put("bad/empty.png", Map.entry(new byte[0], Kind.EMPTY));
    bad.put("bad/deep/empty.jpeg", Map.entry(new byte[0], Kind.EMPTY));

    bad.put("bad/text.png", Map.entry("hello, I am not an image\n".getBytes(StandardCharsets.UTF_8), Kind.NOT_AN_IMAGE));
    bad.put("bad/page.jpg", Map.entry("<!DOCTYPE html><html><body>404</body></html>".getBytes(StandardCharsets.UTF_8),
        Kind.NOT_AN_IMAGE));
    bad.put("bad/doc.jpg", Map.entry("%PDF-1.4\n%\u00e2\u00e3\n".getBytes(StandardCharsets.ISO_8859_1), Kind.NOT_AN_IMAGE));
    bad.put("bad/gif.png", Map.entry(encode(new BufferedImage(4, 4, BufferedImage.TYPE_BYTE_INDEXED), "gif"), Kind.NOT_AN_IMAGE));
    bad.put("bad/bmp.png", Map.entry(encode(new BufferedImage(4, 4, BufferedImage.TYPE_3BYTE_BGR), "bmp"), Kind.NOT_AN_IMAGE));
    bad.put("bad/webp.png", Map.entry(concat("RIFF\u0024\0\0\0WEBPVP8 ".getBytes(StandardCharsets.ISO_8859_1), random(32, 3)),
        Kind.NOT_AN_IMAGE));
    ByteArrayOutputStream gz = new ByteArrayOutputStream();
    try (GZIPOutputStream z = new GZIPOutputStream(gz)) {
      z.write(png);
    }
    bad.put("bad/gzipped.png", Map.entry(gz.toByteArray(), Kind.NOT_AN_IMAGE));
    byte[] noise = random(4096, 4);
    noise[0] = 0; // the seed's first byte must not happen to be a signature
    bad.put("bad/random.jpg", Map.entry(noise, Kind.NOT_AN_IMAGE));

    bad.put("bad/png_signature_only.png", Map.entry(Arrays.copyOf(png, 8), Kind.CORRUPT));
    bad.put("bad/png_no_idat.png", Map.entry(pngHeader(12, 10, chunk("IEND", new byte[0])), Kind.CORRUPT));
    bad.put("bad/png_zero_width.png", Map.entry(pngHeader(0, 10, chunk("IEND", new byte[0])), Kind.CORRUPT));
    bad.put("bad/png_zero_height.png", Map.entry(pngHeader(12, 0, chunk("IEND", new byte[0])), Kind.CORRUPT));
    bad.put("bad/png_100000x100000.png", Map.entry(pngHeader(100_000, 100_000), Kind.TOO_LARGE));
    bad.put("bad/png_truncated.png", Map.entry(Arrays.copyOf(png, png.length / 2), Kind.CORRUPT));
    byte[] badCrc = png.clone();
    badCrc[8 + 8 + 13] ^= 0x5a; // first byte of IHDR's CRC
    bad.put("bad/png_bad_crc.png", Map.entry(badCrc, Kind.CORRUPT));
    byte[] badZlib = png.clone();
    int idat = chunkData(badZlib, "IDAT");
    badZlib[idat] = 0;
    badZlib[idat + 1] = 0;
    int idatLength = ByteBuffer.wrap(badZlib, idat - 8, 4).getInt();
    CRC32 crc = new CRC32();
    crc.update(badZlib, idat - 4, 4 + idatLength);
    ByteBuffer.wrap(badZlib, idat + idatLength, 4).putInt((int) crc.getValue()); // the CRC must not be what catches it
    bad.put("bad/png_bad_zlib.png", Map.entry(badZlib, Kind.CORRUPT));

    bad.put("bad/jpeg_soi_eoi.jpg", Map.entry(new byte[] {(byte) 0xff, (byte) 0xd8, (byte) 0xff, (byte) 0xd9}, Kind.CORRUPT));
    bad.put("bad/jpeg_garbage_after_soi.jpg",
        Map.entry(concat(new byte[] {(byte) 0xff, (byte) 0xd8, (byte) 0xff}, random(2000, 5)), Kind.CORRUPT));
    bad.put("bad/jpeg_cut_in_header.jpg", Map.entry(Arrays.copyOf(jpg, 40), Kind.CORRUPT));
    bad.put("bad/jpeg_cut_in_scan.jpg", Map.entry(Arrays.copyOf(jpg, jpg.length * 6 / 10), Kind.CORRUPT));
    bad.put("bad/jpeg_missing_eoi.jpg", Map.entry(Arrays.copyOf(jpg, jpg.length - 2), Kind.CORRUPT));
    byte[] prog = fixture("progressive.jpg");
    bad.put("bad/progressive_cut.jpg", Map.entry(Arrays.copyOf(prog, prog.length / 2), Kind.CORRUPT));
    byte[] cmyk = fixture("cmyk.jpg");
    bad.put("bad/cmyk_cut.jpg", Map.entry(Arrays.copyOf(cmyk, cmyk.length * 8 / 10), Kind.CORRUPT));
    byte[] huge = jpg.clone();
    int sof = indexOf(huge, (byte) 0xff, (byte) 0xc0);
    ByteBuffer.wrap(huge, sof + 5, 4).putShort((short) 0xffff).putShort((short) 0xffff);
    bad.put("bad/jpeg_65535x65535.jpg", Map.entry(huge, Kind.TOO_LARGE));
    return bad;
  }

  private static int indexOf(byte[] b, byte first, byte second) {
    for (int i = 0; i + 1 < b.length; i++) {
      if (b[i] == first && b[i + 1] == second) {
        return i;
      }
    }
    throw new AssertionError("marker not found");
  }

  @Test
  void goodImagesAreKeptAndEveryBadFileIsCountedAndSkipped(@TempDir Path root) throws Exception {
    Map<String, byte[]> good = goodFiles();
    Map<String, Map.Entry<byte[], Kind>> bad = badFiles();
    for (Map.Entry<String, byte[]> f : good.entrySet()) {
      write(root.resolve(f.getKey()), f.getValue());
    }
    for (Map.Entry<String, Map.Entry<byte[], Kind>> f : bad.entrySet()) {
      write(root.resolve(f.getKey()), f.getValue().getKey());
    }
    long empty = bad.values().stream().filter(e -> e.getValue() == Kind.EMPTY).count();
    // every non-empty bad file is damaged in its own way; the empty ones are one kind
    long badKinds = bad.size() - empty + 1;
    assertTrue(badKinds >= 20, "kinds of bad file: " + badKinds);

    List<Row> rows = spark.read().format("binaryFile").option("recursiveFileLookup", "true").load(root.toString())
        .select(col("path"), call_udf(SslViewsUdf.VIEWS, col("content"), col("path"), lit(1)).as("v"))
        .collectAsList();

    Map<String, Row> byFile = new HashMap<>();
    for (Row r : rows) {
      byFile.put(root.relativize(Path.of(URI.create(r.getString(0)))).toString(), r.getStruct(1));
    }
    assertEquals(good.size() + bad.size() - empty, rows.size(), "one row per non-empty file");

    int viewLength = OPTIONS.numViews * OPTIONS.channels * OPTIONS.size * OPTIONS.size;
    for (String f : good.keySet()) {
      Row v = byFile.get(f);
      assertNotNull(v, f + " was read");
      assertNull(v.getAs("error"), f + ": " + v.getAs("error"));
      assertNull(v.getAs("local_views"), f + ": no local crops asked for");
      assertEquals(viewLength, v.<byte[]>getAs("views").length, f);
    }
    for (Map.Entry<String, Map.Entry<byte[], Kind>> f : bad.entrySet()) {
      Kind kind = f.getValue().getValue();
      Row v = byFile.get(f.getKey());
      if (kind == Kind.EMPTY) {
        assertFalse(byFile.containsKey(f.getKey()), "binaryFile now emits zero-byte files: count them in the UDF");
      } else {
        assertNotNull(v, f.getKey() + " was read");
        assertNull(v.getAs("views"), f.getKey() + " has no views");
        assertTrue(v.<String>getAs("error").startsWith(kind + ": "), f.getKey() + " expected " + kind + ", got " + v.<String>getAs("error"));
      }
    }
    // what the UDF reported, tallied from its output alone
    Map<String, Integer> skipped = new TreeMap<>();
    long kept = 0;
    for (Row r : rows) {
      String error = r.getStruct(1).getAs("error");
      if (error == null) {
        kept++;
      } else {
        skipped.merge(error.substring(0, error.indexOf(':')), 1, Integer::sum);
      }
    }
    assertEquals(good.size(), kept);
    assertEquals(Map.of("NOT_AN_IMAGE", 8, "CORRUPT", 14, "TOO_LARGE", 2), skipped);
  }

  private static void write(Path p, byte[] bytes) throws IOException {
    Files.createDirectories(p.getParent());
    Files.write(p, bytes);
  }
}
