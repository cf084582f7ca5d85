package sparkssl.deploy;

import java.net.URI;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import sparkssl.spark.run.CheckpointCrashTrials;

/**
 * Checkpoint writes cut off at random points in a run directory on {@code s3a://}, against s3proxy
 * as its own process with signature checking on: crashes planted among S3A's operations (the upload
 * on close, multipart uploads, deletes, listings), and a writer process killed by its PID. Loading
 * always takes a checkpoint that was published whole.
 */
class S3CheckpointCrashIT {
  private static final String BUCKET = "sparkssl-crash";
  private static final String ACCESS_KEY = "it-access-" + UUID.randomUUID().toString().substring(0, 8);
  private static final String SECRET_KEY = "it-secret-" + UUID.randomUUID();
  /** S3A's smallest multipart block, so a checkpoint over it is uploaded in parts while it is written. */
  private static final String BLOCK = String.valueOf(5 << 20);
  private static final int PART_BYTES = 6 << 20;

  @TempDir
  static Path tmp;

  private static S3Server s3;
  private static FileSystem fs;

  @BeforeAll
  static void start() throws Exception {
    s3 = S3Server.start(tmp.resolve("s3proxy"), ACCESS_KEY, SECRET_KEY);
    s3.createBucket(BUCKET);
    Configuration conf = s3.hadoopConf();
    settings().forEach(conf::set);
    fs = FileSystem.newInstance(URI.create("s3a://" + BUCKET + "/"), conf);
  }

  @AfterAll
  static void stop() throws Exception {
    if (fs != null) {
      fs.close();
    }
    if (s3 != null) {
      s3.close();
    }
  }

  /** Multipart uploads from the smallest block on, buffered in memory rather than in local files. */
  private static Map<String, String> settings() {
    return Map.of("fs.s3a.multipart.size", BLOCK, "fs.s3a.fast.upload.buffer", "array");
  }

  private static CheckpointCrashTrials trials(String folder) {
    return new CheckpointCrashTrials(fs, new org.apache.hadoop.fs.Path("s3a://" + BUCKET + "/" + folder));
  }

  @Test
  void publicationCutOffAtRandomPointsOnS3NeverLeavesABrokenCheckpoint() throws Exception {
    trials("publish").publicationCutOffAtRandomPoints(Integer.getInteger("sparkssl.s3CrashTrials", 24), PART_BYTES);
  }

  @Test
  void aReplacementOnS3CutOffAtRandomPointsLeavesTheOldObjectOrTheNew() throws Exception {
    trials("replace").replacementCutOffAtRandomPoints(Integer.getInteger("sparkssl.s3CrashTrials", 24));
  }

  /** The writer reaches the server with its settings and takes the key pair from the environment. */
  @Test
  void aWriterKilledWhilePublishingOnS3LeavesALoadableCheckpoint() throws Exception {
    Map<String, String> settings = new HashMap<>(s3.s3aSettings());
    settings.putAll(settings());
    settings.put("fs.s3a.aws.credentials.provider", "com.amazonaws.auth.EnvironmentVariableCredentialsProvider");
    trials("killed").writerKilledAtRandomMoments(Integer.getInteger("sparkssl.s3KillTrials", 3), settings,
        Map.of("AWS_ACCESS_KEY_ID", ACCESS_KEY, "AWS_SECRET_ACCESS_KEY", SECRET_KEY), tmp);
  }
}
