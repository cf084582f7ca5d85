package sparkssl.spark.run;

import java.nio.file.Path;
import java.util.Map;
import org.apache.hadoop.fs.FileSystem;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A process publishing checkpoints on the local file system, killed (SIGKILL) at random moments,
 * leaves a checkpoint that loads ({@link CheckpointCrashTrials#writerKilledAtRandomMoments}).
 */
class CheckpointKillTest {
  private static final int TRIALS = 4;

  @TempDir
  Path tmp;

  @Test
  void aProcessKilledWhileWritingLeavesALoadableCheckpoint() throws Exception {
    new CheckpointCrashTrials(FileSystem.getLocal(CrashingFileSystem.CONF).getRawFileSystem(),
        new org.apache.hadoop.fs.Path(tmp.toUri().toString()))
        .writerKilledAtRandomMoments(TRIALS, Map.of(), Map.of(), tmp);
  }
}
