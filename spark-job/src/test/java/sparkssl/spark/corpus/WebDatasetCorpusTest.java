package sparkssl.spark.corpus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Tar shards written by Python's tarfile and by GNU tar, read as WebDataset reads them. */
class WebDatasetCorpusTest {
  private static SparkSession spark;
  @TempDir
  static Path tmp;

  @BeforeAll
  static void start() {
    spark = SparkSession.builder().master("local[2]").appName("webdataset-corpus")
        .config("spark.ui.enabled", "false").config("spark.driver.host", "127.0.0.1")
        .config("spark.driver.bindAddress", "127.0.0.1").getOrCreate();
  }

  @AfterAll
  static void stop() {
    spark.stop();
  }

  private static void run(Path dir, String... command) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(0, p.waitFor(), String.join(" ", command) + ": " + out);
  }

  /** Writes {@code tar} with Python's tarfile: members in the given order, each holding its own name as bytes. */
  private static Path pythonTar(Path tar, String... members) throws Exception {
    Files.createDirectories(tar.getParent());
    String script = "import io, sys, tarfile\n"
        + "with tarfile.open(sys.argv[1], 'w') as t:\n"
        + "    for name in sys.argv[2:]:\n"
        + "        data = (name.rsplit('.', 1)[0][-1] if name.endswith('.cls') else name).encode()\n"
        + "        info = tarfile.TarInfo(name); info.size = len(data)\n"
        + "        t.addfile(info, io.BytesIO(data))\n";
    String[] command = new String[members.length + 4];
    command[0] = "/usr/bin/python3";
    command[1] = "-c";
    command[2] = script;
    command[3] = tar.toString();
    System.arraycopy(members, 0, command, 4, members.length);
    run(tmp, command);
    return tar;
  }

  private static CorpusLayout open(String root) throws Exception {
    return CorpusFormat.AUTO.open(spark, "--corpus", root, CorpusFormat.Columns.byName());
  }

  @Test
  void samplesAreRunsOfMembersSharingAKeyAndTheirImageIsPickedByExtension() throws Exception {
    Path dir = tmp.resolve("py");
    pythonTar(dir.resolve("shard-0.tar"), "000001.jpg", "000001.cls", "000002.json", "000002.PNG",
        "sub/000003.json", "sub/000004.jpeg", "sub/000004.cls");
    pythonTar(dir.resolve("shard-1.tar"), "a.b/000005.png", "a.b/000005.seg.png", "a.b/000005.cls");

    CorpusLayout c = open(dir.toString());
    assertEquals(CorpusFormat.WEBDATASET, c.format());
    Map<String, String> images = c.images(spark).collectAsList().stream()
        .collect(Collectors.toMap(r -> r.getString(2), r -> r.getString(0) + "=" + new String((byte[]) r.get(1), StandardCharsets.UTF_8)));
    assertEquals(Map.of(
        "000001.jpg", "shard-0.tar:000001.jpg=000001.jpg",
        "000002.PNG", "shard-0.tar:000002.PNG=000002.PNG",
        "sub/000004.jpeg", "shard-0.tar:sub/000004.jpeg=sub/000004.jpeg",
        "a.b/000005.png", "shard-1.tar:a.b/000005.png=a.b/000005.png"), images);

    CorpusLayout.Listing listing = c.list(spark);
    assertEquals(List.of("000001.jpg", "000002.PNG", "a.b/000005.png", "sub/000004.jpeg"), listing.keys());
    assertEquals(1, listing.leftOut().count(), "the sample with a .json only");
    assertEquals(List.of("shard-0.tar:sub/000003.json"), listing.leftOut().examples());

    Map<String, String> labels = c.labeledImages(spark).collectAsList().stream()
        .collect(Collectors.toMap(r -> r.getString(2), r -> r.getString(3)));
    assertEquals(Map.of("000001.jpg", "1", "sub/000004.jpeg", "4", "a.b/000005.png", "5"), labels,
        "labelled sets keep the samples with a .cls member");
  }

  @Test
  void gnuTarShardsUnderAGlobAreRead() throws Exception {
    Path src = Files.createDirectories(tmp.resolve("gnu-src/cats"));
    Files.writeString(src.resolve("7.png"), "seven");
    Files.writeString(src.resolve("7.cls"), "cat\n");
    Path out = Files.createDirectories(tmp.resolve("gnu"));
    run(tmp.resolve("gnu-src"), "tar", "--format=gnu", "-cf", out.resolve("part-a.tar").toString(), "cats/7.png", "cats/7.cls");
    Files.writeString(out.resolve("notes.txt"), "not a shard");
    CorpusLayout c = open(out + "/*.tar");
    assertEquals(List.of("cats/7.png"), c.list(spark).keys());
    assertEquals("cat", c.labeledImages(spark).collectAsList().get(0).getString(3));
  }

  @Test
  void aShardCutShortIsReadUpToItsLastWholeSampleAndReported() throws Exception {
    Path dir = tmp.resolve("cut");
    String[] names = new String[40];
    for (int i = 0; i < names.length; i++) {
      names[i] = String.format("%06d.png", i);
    }
    Path tar = pythonTar(dir.resolve("whole.tar"), names);
    byte[] all = Files.readAllBytes(tar);
    // 512-byte header + one data block per member: cut in the middle of member 20's 10 bytes of data
    Files.write(tar, Arrays.copyOf(all, 20 * 1024 + 512 + 5));
    CorpusLayout.Listing listing = open(dir.toString()).list(spark);
    assertEquals(20, listing.keys().size(), listing.keys().toString());
    assertTrue(listing.leftOut().examples().stream().anyMatch(e -> e.contains("whole.tar") && e.contains("cut short after 20")),
        listing.leftOut().examples().toString());
    assertEquals(20, open(dir.toString()).images(spark).count());
  }

  @Test
  void aFileThatIsNotATarIsRefusedByNameBeforeAnyJob() throws Exception {
    Path dir = tmp.resolve("bad");
    pythonTar(dir.resolve("good.tar"), "1.png");
    Files.writeString(dir.resolve("bad.tar"), "this is not a tar file, just text that is long enough to fill a block".repeat(10));
    CorpusUnreadable e = assertThrows(CorpusUnreadable.class, () -> open(dir.toString()));
    assertTrue(e.getMessage().contains("bad.tar is not a tar file"), e.getMessage());
    e = assertThrows(CorpusUnreadable.class, () -> open(tmp.resolve("nothing-here") + "/*.tar"));
    assertTrue(e.getMessage().contains("matches no files"), e.getMessage());
  }
}
