package sparkssl.job;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import sparkssl.spark.run.CheckpointManifest;
import sparkssl.spark.run.CheckpointStore;
import sparkssl.spark.run.ChildJvm;
import sparkssl.spark.run.RunDirectory;

/**
 * The driver dies: {@code train} (BYOL with the Nesterov outer optimiser, so an EMA teacher's state and
 * the outer momentum buffer must survive too; three workers summed in a tree, whose sums must repeat
 * exactly) runs as a process
 * of its own and is killed (SIGKILL, by its PID) as soon as epoch 1's checkpoint is published; {@code train --resume} in a new process continues from
 * the newest checkpoint, says so, writes every epoch's metrics exactly once, and ends with the same
 * parameters, bit for bit, and the same per-epoch losses as the same run left alone. Resuming the
 * finished run once more changes nothing. Both epoch data paths: a shuffle per epoch, and worker shards
 * dealt again by the resumed driver.
 */
class DriverLossResumeTest {
  private static final int EPOCHS = 3;

  @TempDir
  Path tmp;

  @ParameterizedTest
  @EnumSource(JobConfig.EpochData.class)
  void aKilledRunResumesFromItsLastCheckpointAndEndsAsTheUninterruptedRun(JobConfig.EpochData epochData) throws Exception {
    Path corpus = tmp.resolve("corpus");
    LocalModeJobTest.copySlice(LocalTrainRun.SAMPLE.resolve("train"), corpus, 6);
    byte[] png = Files.readAllBytes(Files.list(corpus.resolve("bag")).sorted().findFirst().orElseThrow());
    Files.write(corpus.resolve("bag/truncated.png"), java.util.Arrays.copyOf(png, png.length / 2));
    List<String> args = List.of("--corpus", corpus.toUri().toString(), "--skip-eval", "--epochs", String.valueOf(EPOCHS),
        "--batch-size", "8", "--workers", "3", "--averaging-frequency", "1", "--seed", "7", "--method", "byol",
        "--outer-optimizer", "nesterov", "--aggregation", "tree", "--epoch-data", epochData.name());

    Path uninterrupted = tmp.resolve("uninterrupted");
    List<String> alone = new ArrayList<>(args);
    alone.addAll(List.of("--run-dir", uninterrupted.toString()));
    LocalTrainRun.run(alone.toArray(String[]::new));

    Path runDir = tmp.resolve("run");
    CheckpointStore checkpoints = new RunDirectory(runDir.toString(), new Configuration()).checkpoints(2);
    Process driver = ChildJvm.start(tmp.resolve("killed.log"), Main.class, command(args, runDir, false));
    int resumeFrom;
    try {
      long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
      while (!Files.exists(runDir.resolve("checkpoints/latest.json"))) {
        assertTrue(driver.isAlive() && System.nanoTime() < deadline, "epoch 1 is published: " + log("killed.log"));
        Thread.sleep(20);
      }
      ProcessHandle.of(driver.pid()).orElseThrow().destroyForcibly();
      assertTrue(driver.waitFor(30, TimeUnit.SECONDS));
    } finally {
      driver.destroyForcibly();
    }
    resumeFrom = checkpoints.manifest().checkpoints().get(0).epoch();
    assertTrue(resumeFrom < EPOCHS, "killed before the run ended: " + resumeFrom);

    Process resumed = ChildJvm.start(tmp.resolve("resumed.log"), Main.class, command(args, runDir, true));
    assertTrue(resumed.waitFor(10, TimeUnit.MINUTES), "the resumed run ends");
    assertEquals(0, resumed.exitValue(), log("resumed.log"));
    assertTrue(log("resumed.log").contains("resuming from epoch " + resumeFrom + " "), log("resumed.log"));

    List<JsonNode> metrics = LocalTrainRun.metrics(runDir);
    List<JsonNode> expected = LocalTrainRun.metrics(uninterrupted);
    assertEquals(List.of(1, 2, 3), metrics.stream().map(m -> m.get("epoch").asInt()).toList(), "every epoch exactly once");
    for (int e = 0; e < EPOCHS; e++) {
      assertEquals(expected.get(e).get("loss").asDouble(), metrics.get(e).get("loss").asDouble(), "epoch " + (e + 1) + " loss");
      assertEquals(expected.get(e).get("skipped_files"), metrics.get(e).get("skipped_files"), "epoch " + (e + 1));
      assertEquals(expected.get(e).get("images"), metrics.get(e).get("images"), "epoch " + (e + 1));
    }
    assertArrayEquals(RunDirectory.readModel(uninterrupted.toString(), new Configuration()).params().data().asFloat(),
        RunDirectory.readModel(runDir.toString(), new Configuration()).params().data().asFloat(), "final parameters");
    assertEquals(List.of(3, 2), checkpoints.manifest().checkpoints().stream().map(CheckpointManifest.Entry::epoch).toList());

    // resuming a finished run trains nothing and changes nothing
    float[] finished = RunDirectory.readModel(runDir.toString(), new Configuration()).params().data().asFloat();
    List<String> again = new ArrayList<>(args);
    again.addAll(List.of("--run-dir", runDir.toString(), "--resume"));
    LocalTrainRun.run(again.toArray(String[]::new));
    assertEquals(metrics.toString(), LocalTrainRun.metrics(runDir).toString());
    assertArrayEquals(finished, RunDirectory.readModel(runDir.toString(), new Configuration()).params().data().asFloat());
    assertEquals(List.of(3, 2), checkpoints.manifest().checkpoints().stream().map(CheckpointManifest.Entry::epoch).toList());
  }

  private static String[] command(List<String> args, Path runDir, boolean resume) {
    List<String> command = new ArrayList<>(List.of("train"));
    command.addAll(args);
    command.addAll(List.of("--run-dir", runDir.toString(), "--master", "local[2]", "--conf", "spark.ui.enabled=false",
        "--conf", "spark.local.dir=" + runDir.resolveSibling("spark-local")));
    if (resume) {
      command.add("--resume");
    }
    return command.toArray(String[]::new);
  }

  private String log(String name) throws java.io.IOException {
    return Files.readString(tmp.resolve(name));
  }
}
