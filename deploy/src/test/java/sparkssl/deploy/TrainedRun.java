package sparkssl.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.deeplearning4j.nn.graph.ComputationGraph;
import sparkssl.model.Devices;
import sparkssl.model.ModelIO;

/** A run directory left by one epoch of training on the two-worker local cluster, checked. */
record TrainedRun(JsonNode epoch, ComputationGraph model) {
  /**
   * Reads {@code runDir} and checks that its single epoch trained {@code images} images on both
   * executors (not in the driver), each on the backend's fast path and device, averaged parameters,
   * evaluated k-NN, and left a loadable model.
   */
  static TrainedRun check(Path runDir, long images) throws IOException {
    List<String> lines = Files.readAllLines(runDir.resolve("metrics.jsonl"));
    assertEquals(1, lines.size(), "one epoch: " + lines);
    JsonNode epoch = new ObjectMapper().readTree(lines.get(0));
    Set<String> executors = new HashSet<>();
    epoch.get("executors").forEach(e -> executors.add(e.asText()));
    executors.remove("driver");
    assertEquals(2, executors.size(), "both executors took part: " + epoch);
    assertTrue(epoch.get("averaging_rounds").asInt() >= 1, "parameter averaging happened: " + epoch);
    assertEquals(images, epoch.get("images").asLong(), epoch.toString());
    assertTrue(epoch.get("fast_path_steps").asLong() > 0, epoch.toString());
    assertEquals(0, epoch.get("slow_path_steps").asLong(), "executors train on the fast path: " + epoch);
    // no GPU scheduling here: on CUDA every executor computes on its GPU 0
    String device = Devices.cuda() ? Devices.describeCurrent() : "cpu (oneDNN)";
    Set<String> devices = new HashSet<>();
    epoch.get("devices").forEach(d -> devices.add(d.asText()));
    assertEquals(executors.stream().map(e -> e + ": " + device).collect(Collectors.toSet()), devices, epoch.toString());
    assertTrue(epoch.hasNonNull("knn_top1"), "k-NN evaluated: " + epoch);
    try (InputStream in = Files.newInputStream(runDir.resolve("model.zip"))) {
      return new TrainedRun(epoch, ModelIO.read(in));
    }
  }
}
