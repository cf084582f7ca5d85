package sparkssl.spark.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class SecretsTest {
  /** Credential settings of Hadoop's stores and of Spark, as users write them (some with spark.hadoop.). */
  static final List<String> SECRET = List.of(
      "spark.hadoop.fs.s3a.access.key",
      "spark.hadoop.fs.s3a.secret.key",
      "fs.s3a.session.token",
      "spark.hadoop.fs.s3a.bucket.my-bucket.secret.key",
      "fs.s3a.bucket.my-bucket.access.key",
      "fs.s3a.bucket.my-bucket.session.token",
      "fs.s3a.encryption.key",
      "fs.s3a.server-side-encryption.key",
      "fs.s3a.bucket.my-bucket.server-side-encryption.key",
      "spark.hadoop.fs.azure.account.key.acct.dfs.core.windows.net",
      "fs.azure.account.key.acct.blob.core.windows.net",
      "fs.azure.account.oauth2.client.secret",
      "fs.azure.account.oauth2.client.secret.acct.dfs.core.windows.net",
      "fs.azure.account.oauth2.refresh.token",
      "fs.azure.sas.container.acct.blob.core.windows.net",
      "spark.hadoop.fs.azure.sas.container.acct.blob.core.windows.net",
      "fs.adl.oauth2.credential",
      "fs.adl.oauth2.refresh.token",
      "fs.gs.auth.service.account.private.key",
      "fs.gs.auth.service.account.private.key.id",
      "fs.gs.auth.client.secret",
      "fs.gs.encryption.key",
      "fs.gs.encryption.key.hash",
      "fs.oss.accessKeyId",
      "fs.oss.accessKeySecret",
      "fs.cosn.userinfo.secretKey",
      "fs.obs.secret.key",
      "fs.swift.service.rackspace.apikey",
      "fs.ftp.password.files.example.com",
      "dfs.webhdfs.oauth2.access.token",
      "javax.jdo.option.ConnectionPassword",
      "spark.authenticate.secret",
      "spark.ssl.keyPassword",
      "spark.ssl.keyStorePassword",
      "spark.ssl.trustStorePassword",
      "spark.kubernetes.authenticate.submission.oauthToken",
      "spark.executorEnv.AWS_SECRET_ACCESS_KEY",
      "spark.executorEnv.AWS_ACCESS_KEY_ID",
      "spark.executorEnv.AWS_SESSION_TOKEN",
      "AWS_SECRET_ACCESS_KEY",
      "GOOGLE_API_KEY",
      "MYSQL_PWD",
      "db.pwd");

  /** Settings worth seeing in config.json, that look a little like credentials. */
  static final List<String> PLAIN = List.of(
      "spark.hadoop.fs.s3a.endpoint",
      "fs.s3a.path.style.access",
      "fs.s3a.connection.ssl.enabled",
      "spark.hadoop.fs.s3a.aws.credentials.provider",
      "fs.s3a.assumed.role.credentials.provider",
      "hadoop.security.credential.provider.path",
      "fs.s3a.server-side-encryption-algorithm",
      "fs.s3a.encryption.algorithm",
      "fs.s3a.bucket.my-bucket.endpoint",
      "spark.io.encryption.keySizeBits",
      "spark.io.encryption.enabled",
      "spark.authenticate",
      "spark.ssl.keyStore",
      "spark.kerberos.keytab",
      "spark.executor.memory",
      "spark.sql.shuffle.partitions",
      // the shell's working directories: a corpus under them is a path to show, not a secret
      "PWD",
      "OLDPWD",
      "HOME",
      "PATH");

  @Test
  void tableNamesEveryCredentialAndNothingElse() {
    for (String key : SECRET) {
      assertTrue(Secrets.isSecretKey(key), key + " is a credential");
    }
    for (String key : PLAIN) {
      assertFalse(Secrets.isSecretKey(key), key + " is not a credential");
    }
  }

  @Test
  void sparkRedactionRegexIsTheSameTable() {
    Pattern spark = Pattern.compile(Secrets.keyRegex());
    for (String key : SECRET) {
      assertTrue(spark.matcher(key).find(), key);
    }
    for (String key : PLAIN) {
      assertFalse(spark.matcher(key).find(), key);
    }
  }

  @Test
  void redactsCredentialValuesAndPasswordsInUris() {
    Map<String, String> settings = new LinkedHashMap<>();
    settings.put("spark.hadoop.fs.s3a.secret.key", "wJalrXUtnFEMI");
    settings.put("spark.hadoop.fs.azure.account.key.acct.dfs.core.windows.net", "c2VjcmV0");
    settings.put("spark.hadoop.fs.s3a.endpoint", "http://127.0.0.1:9000");
    settings.put("spark.eventLog.dir", "s3a://AKIAEXAMPLE:wJalrXUtnFEMI@logs/spark");
    Map<String, String> out = Secrets.redact(settings);
    assertEquals(Secrets.REDACTED, out.get("spark.hadoop.fs.s3a.secret.key"));
    assertEquals(Secrets.REDACTED, out.get("spark.hadoop.fs.azure.account.key.acct.dfs.core.windows.net"));
    assertEquals("http://127.0.0.1:9000", out.get("spark.hadoop.fs.s3a.endpoint"));
    assertEquals("s3a://<redacted>@logs/spark", out.get("spark.eventLog.dir"));
    assertEquals(List.copyOf(settings.keySet()), List.copyOf(out.keySet()), "order and keys kept");
  }

  @Test
  void uriPasswordsGoButContainerNamesStay() {
    assertEquals("failed to read s3a://<redacted>@bucket/corpus/a.png and ftp://<redacted>@host/x",
        Secrets.redactUris("failed to read s3a://AKIAEXAMPLE:wJalrXUtnFEMI@bucket/corpus/a.png and ftp://me:pw@host/x"));
    assertEquals("s3a://<redacted>@bucket/x", Secrets.redactUris("s3a://AKIAEXAMPLE:wJalr/XUtn+FEMI@bucket/x"),
        "an unescaped '/' in the secret");
    assertEquals("abfs://container@acct.dfs.core.windows.net/x",
        Secrets.redactUris("abfs://container@acct.dfs.core.windows.net/x"));
    assertTrue(Secrets.hasPassword("s3a://AKIAEXAMPLE:wJalrXUtnFEMI@bucket/corpus"));
    assertTrue(Secrets.hasPassword("s3a://AKIAEXAMPLE:wJalr%2FXUtn@bucket/corpus"));
    assertTrue(Secrets.hasPassword("s3a://AKIAEXAMPLE:wJalr/XUtn@bucket/corpus"));
    assertFalse(Secrets.hasPassword("hdfs://namenode:8020/data/x@y"));
    assertFalse(Secrets.hasPassword("abfs://container@acct.dfs.core.windows.net/x"));
    assertFalse(Secrets.hasPassword("s3a://bucket/corpus"));
    assertFalse(Secrets.hasPassword("/local/path"));
  }

  @Test
  void scrubRemovesRememberedValuesFromAnyText() {
    Secrets.remember(Map.of("spark.hadoop.fs.s3a.bucket.b.secret.key", "Remembered-Secret-42",
        "spark.app.name", "spark-ssl", "spark.authenticate.secret", "abc"));
    String scrubbed = Secrets.scrub("java.io.IOException: bad key Remembered-Secret-42 for s3a://u:p@b/x in spark-ssl");
    assertEquals("java.io.IOException: bad key <redacted> for s3a://<redacted>@b/x in spark-ssl", scrubbed);
    assertEquals("abc", Secrets.scrub("abc"), "values too short to scrub safely are left alone");
  }

  /** The job remembers its whole environment: only the credentials among it are scrubbed from messages. */
  @Test
  void scrubLeavesTheWorkingDirectoryAndRemovesACredentialOfTheEnvironment() {
    String cwd = "/home/ada/projects/spark-ssl";
    Secrets.remember(Map.of("PWD", cwd, "OLDPWD", "/home/ada", "HOME", "/home/ada", "PATH", "/usr/local/bin:/usr/bin",
        "AWS_SECRET_ACCESS_KEY", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"));
    String inputError = "the corpus " + cwd + "/data/corpus has 3 image files, fewer than one global batch";
    assertEquals(inputError, Secrets.scrub(inputError));
    assertEquals("S3 rejected the key <redacted> for " + cwd + "/data",
        Secrets.scrub("S3 rejected the key wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY for " + cwd + "/data"));
  }
}
