package sparkssl.job;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import sparkssl.spark.run.Checkpoint;
import sparkssl.spark.run.CheckpointManifest;
import sparkssl.spark.run.CheckpointStore;
import sparkssl.spark.run.RunDirectory;

/**
 * A run whose loss turns NaN stops with exit code 1 and a one-line message naming the epoch, and
 * leaves the last good checkpoint, model.zip and metrics.jsonl as the last good epoch left them.
 *
 * <p>The corpus is exactly one global batch, so an epoch is one Adam step. At a learning rate of 1e30
 * the first step is taken from finite weights (finite loss) and moves every weight by about 1e30, still
 * a finite float: epoch 1 passes and is published. Epoch 2's forward pass overflows (batch norm
 * squares values near 1e31) and its loss is NaN.
 */
class DivergenceTest {
  @TempDir
  Path tmp;

  @Test
  void aNanLossStopsTheRunAndLeavesTheLastGoodCheckpoint() throws Exception {
    Path corpus = tmp.resolve("corpus");
    LocalModeJobTest.copySlice(LocalTrainRun.SAMPLE.resolve("train"), corpus, 2);
    Path runDir = tmp.resolve("run");
    CommandRun r = CommandRun.of("train", "--corpus", corpus.toUri().toString(), "--run-dir", runDir.toString(), "--skip-eval",
        "--epochs", "3", "--batch-size", "10", "--workers", "2", "--learning-rate", "1e30",
        "--master", "local[2]", "--conf", "spark.ui.enabled=false");

    assertEquals(1, r.code(), r.err());
    assertEquals(1, r.messages().size(), r.err());
    String message = r.messages().get(0);
    assertTrue(message.contains("training diverged in epoch 2: the loss was NaN") && message.contains("global step 2")
        && message.contains("the last good checkpoint, epoch 1") && message.contains("is intact"), message);

    CheckpointStore checkpoints = new RunDirectory(runDir.toString(), new Configuration()).checkpoints(2);
    assertEquals(List.of(1), checkpoints.manifest().checkpoints().stream().map(CheckpointManifest.Entry::epoch).toList());
    Checkpoint last = checkpoints.loadLatest().orElseThrow();
    assertEquals(1, last.network().getIterationCount());
    assertEquals(1, LocalTrainRun.metrics(runDir).size(), "metrics.jsonl ends with the last good epoch");
    assertArrayEquals(last.network().params().data().asFloat(),
        RunDirectory.readModel(runDir.toString(), new Configuration()).params().data().asFloat(), "model.zip is epoch 1's");
  }
}
