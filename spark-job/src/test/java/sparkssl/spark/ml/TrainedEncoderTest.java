package sparkssl.spark.ml;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;
import org.apache.hadoop.conf.Configuration;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import sparkssl.model.ModelIO;

/** Model files: what train writes reads back as an encoder; anything else is refused, saying why. */
class TrainedEncoderTest {
  private static ComputationGraph net;
  private static Path modelFile;

  @TempDir
  static Path tmp;

  @BeforeAll
  static void network() throws IOException {
    net = TestModels.network(3);
    modelFile = TestModels.modelFile(tmp, net, TestModels.simclrInput());
  }

  private static TrainedEncoder read(Path file) throws IOException {
    return TrainedEncoder.read(file.toUri().toString(), new Configuration());
  }

  @Test
  void aModelFileCarriesItsInputAndStaysADl4jModel() throws Exception {
    EncoderInput input = TestModels.simclrInput();
    TrainedEncoder encoder = read(modelFile);
    assertEquals(28, encoder.input().imageSize());
    assertEquals(1, encoder.input().channels());
    assertArrayEquals(input.normalizeMean(), encoder.input().normalizeMean());
    assertArrayEquals(input.normalizeStd(), encoder.input().normalizeStd());
    assertEquals(input.maxPixels(), encoder.input().maxPixels());
    assertEquals(128, encoder.dimension());

    try (InputStream in = Files.newInputStream(modelFile)) {
      ComputationGraph dl4j = ModelIO.read(in);
      assertEquals(net.params(), dl4j.params(), "DL4J reads the model file as its own");
      assertTrue(dl4j.getUpdater().getStateViewArray() != null, "the model file keeps the updater state, for training on");
    }
    Map<String, byte[]> entries = entries(encoder.bytes());
    assertTrue(entries.containsKey(TrainedEncoder.CARD) && entries.containsKey(ModelSerializer.COEFFICIENTS_BIN));
    assertTrue(!entries.containsKey(ModelSerializer.UPDATER_BIN), "the encoder in memory has no updater state");

    assertEquals(encoder.id(), read(modelFile).id(), "the same file, the same id");
    assertEquals(encoder.id(), TrainedEncoder.parse(encoder.bytes(), "copy").id(), "its bytes read back as the same encoder");
    Path runDir = Files.createDirectories(tmp.resolve("run"));
    Files.copy(modelFile, runDir.resolve(TrainedEncoder.MODEL_FILE));
    assertEquals(encoder.id(), read(runDir).id(), "a run directory stands for its model.zip");
  }

  @Test
  void refusesWhatTrainDidNotWriteSayingWhy() throws Exception {
    Path png = TestModels.copySample("test", tmp.resolve("png"), 1).get(0);
    assertNotAModel(png, "not a zip file");
    assertNotAModel(zip("random.zip", Map.of("hello.txt", "hi".getBytes(StandardCharsets.UTF_8))), "a zip file without " + TrainedEncoder.CARD);

    Path plainDl4j = tmp.resolve("dl4j.zip");
    try (OutputStream out = Files.newOutputStream(plainDl4j)) {
      ModelIO.write(net, out);
    }
    assertNotAModel(plainDl4j, "a DL4J model without spark-ssl's " + TrainedEncoder.CARD + " entry");

    Map<String, byte[]> entries = entries(Files.readAllBytes(modelFile));
    String card = new String(entries.get(TrainedEncoder.CARD), StandardCharsets.UTF_8);
    entries.put(TrainedEncoder.CARD, card.replace("\"format_version\" : 2", "\"format_version\" : 3").getBytes(StandardCharsets.UTF_8));
    assertNotAModel(zip("future.zip", entries), TrainedEncoder.CARD + " has format version 3; this spark-ssl reads version 2");
    entries.put(TrainedEncoder.CARD, card.replace("\"channels\" : 1", "\"channels\" : 3").getBytes(StandardCharsets.UTF_8));
    assertNotAModel(zip("colour-card.zip", entries), "its network does not embed the 3x28x28 images");
    entries.put(TrainedEncoder.CARD, "{".getBytes(StandardCharsets.UTF_8));
    assertNotAModel(zip("broken-card.zip", entries), TrainedEncoder.CARD + " is not readable");

    assertNotAModel(tmp.resolve("missing.zip"), "no such file");
    assertNotAModel(Files.createDirectories(tmp.resolve("empty-run")), "a directory without model.zip");
  }

  private static void assertNotAModel(Path file, String why) {
    NotAModelException e = assertThrows(NotAModelException.class, () -> read(file));
    assertTrue(e.getMessage().contains("is not a spark-ssl model: " + why), e.getMessage());
  }

  private static Path zip(String name, Map<String, byte[]> entries) throws IOException {
    Path file = tmp.resolve(name);
    try (ZipOutputStream zip = new ZipOutputStream(Files.newOutputStream(file))) {
      for (Map.Entry<String, byte[]> e : entries.entrySet()) {
        zip.putNextEntry(new ZipEntry(e.getKey()));
        zip.write(e.getValue());
        zip.closeEntry();
      }
    }
    return file;
  }

  private static Map<String, byte[]> entries(byte[] zip) throws IOException {
    Map<String, byte[]> out = new LinkedHashMap<>();
    try (ZipInputStream in = new ZipInputStream(new java.io.ByteArrayInputStream(zip))) {
      for (ZipEntry e; (e = in.getNextEntry()) != null; ) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        in.transferTo(bytes);
        out.put(e.getName(), bytes.toByteArray());
      }
    }
    return out;
  }
}
