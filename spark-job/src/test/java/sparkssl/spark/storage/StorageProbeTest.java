package sparkssl.spark.storage;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import sparkssl.spark.storage.StorageProbe.Target;

class StorageProbeTest {
  @TempDir
  Path tmp;

  @Test
  void failFastSettingsFillOnlyWhatTheUserLeftToHadoop() {
    Configuration conf = new Configuration();
    assertFalse(StorageProbe.setByUser(conf, "fs.s3a.attempts.maximum"), "core-default.xml's value is Hadoop's, not the user's");
    conf.set("fs.s3a.retry.limit", "5");
    Configuration probe = StorageProbe.failFast(conf);
    assertEquals("5", probe.get("fs.s3a.retry.limit"), "the user's own setting wins");
    assertEquals("0", probe.get("fs.s3a.attempts.maximum"));
    assertEquals("5000", probe.get("fs.s3a.connection.establish.timeout"));
    assertNotEquals("0", conf.get("fs.s3a.attempts.maximum"), "the run's own configuration is left alone");
  }

  /** Whether a path must exist is for the command's input checks: the probe asks only whether the store answers. */
  @Test
  void aMissingPathIsLeftToTheInputChecks() {
    assertDoesNotThrow(() -> StorageProbe.check(new Configuration(), List.of(
        new Target("--corpus", tmp.resolve("nope").toUri().toString()),
        new Target("--run-dir", tmp.resolve("run").toUri().toString()))));
  }

  @Test
  void passwordInAUriIsRefusedWithoutRepeatingIt() {
    StorageUnusable e = assertThrows(StorageUnusable.class, () -> StorageProbe.check(new Configuration(), List.of(
        new Target("--corpus", "s3a://AKIAEXAMPLE:wJalrXUtnFEMI@bucket/corpus"))));
    assertEquals(StorageUnusable.BAD_SETTINGS, e.exitCode());
    assertFalse(e.getMessage().contains("wJalrXUtnFEMI"), e.getMessage());
    assertTrue(e.getMessage().startsWith("--corpus s3a://<redacted>@bucket/corpus: credentials in a URI"), e.getMessage());
  }

  @Test
  void pathsAFilesystemCannotTakeAreBadSettings() {
    StorageUnusable noBucket = assertThrows(StorageUnusable.class, () -> StorageProbe.check(new Configuration(), List.of(
        new Target("--corpus", "s3a:///corpus"))));
    assertEquals(StorageUnusable.BAD_SETTINGS, noBucket.exitCode());
    assertTrue(noBucket.getMessage().startsWith("--corpus s3a:///corpus: not a usable path: "), noBucket.getMessage());
    StorageUnusable empty = assertThrows(StorageUnusable.class, () -> StorageProbe.check(new Configuration(), List.of(
        new Target("--run-dir", ""))));
    assertEquals(StorageUnusable.BAD_SETTINGS, empty.exitCode());
  }

  @Test
  void unknownSchemeIsAnEnvironmentFailure() {
    StorageUnusable e = assertThrows(StorageUnusable.class, () -> StorageProbe.check(new Configuration(), List.of(
        new Target("--corpus", "nosuchfs://host/corpus"))));
    assertEquals(StorageUnusable.ENVIRONMENT, e.exitCode());
    assertTrue(e.getMessage().contains("no Hadoop filesystem for scheme 'nosuchfs'"), e.getMessage());
  }

  /** A real S3A client against a port nobody listens on: Hadoop's defaults would retry for minutes. */
  @Test
  void deadS3EndpointFailsInSecondsAndSaysSo() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    Configuration conf = new Configuration();
    conf.set("fs.s3a.endpoint", "http://127.0.0.1:" + port);
    conf.set("fs.s3a.path.style.access", "true");
    conf.set("fs.s3a.connection.ssl.enabled", "false");
    conf.set("fs.s3a.aws.credentials.provider", "org.apache.hadoop.fs.s3a.SimpleAWSCredentialsProvider");
    conf.set("fs.s3a.access.key", "AKIAEXAMPLE");
    conf.set("fs.s3a.secret.key", "wJalrXUtnFEMI");
    long start = System.nanoTime();
    StorageUnusable e = assertThrows(StorageUnusable.class, () -> StorageProbe.check(conf, List.of(
        new Target("--corpus", "s3a://bucket/corpus"))));
    double seconds = (System.nanoTime() - start) / 1e9;
    System.out.printf("dead S3 endpoint: probe failed after %.1f s%n", seconds);
    assertEquals(StorageUnusable.ENVIRONMENT, e.exitCode());
    assertEquals("--corpus s3a://bucket/corpus: the S3 endpoint http://127.0.0.1:" + port
        + " is unreachable (Connection refused); check fs.s3a.endpoint and that the store is up", e.getMessage());
    assertTrue(seconds < 30, "failed after " + seconds + " s (Hadoop's defaults: over 13 minutes)");
  }
}
