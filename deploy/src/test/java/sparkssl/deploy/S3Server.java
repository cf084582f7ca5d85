package sparkssl.deploy;

import static org.junit.jupiter.api.Assertions.fail;

import com.amazonaws.auth.AWSStaticCredentialsProvider;
import com.amazonaws.auth.BasicAWSCredentials;
import com.amazonaws.client.builder.AwsClientBuilder;
import com.amazonaws.services.s3.AmazonS3;
import com.amazonaws.services.s3.AmazonS3ClientBuilder;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.hadoop.conf.Configuration;

/**
 * A real S3-compatible server: s3proxy (from Maven Central, copied to deploy/target/s3proxy by the
 * build) as its own JVM on 127.0.0.1, checking AWS v2/v4 request signatures against one key pair,
 * objects kept in memory ({@code transient}: the nio2 file backends break S3A's directory-marker
 * deletes and rename commits).
 */
final class S3Server implements AutoCloseable {
  static final Path JAR = Paths.get(System.getProperty("sparkssl.s3proxyJar", "target/s3proxy/s3proxy.jar")).toAbsolutePath();

  final String endpoint;
  final String accessKey;
  final String secretKey;
  final Path log;
  private final Process process;

  private S3Server(String endpoint, String accessKey, String secretKey, Path log, Process process) {
    this.endpoint = endpoint;
    this.accessKey = accessKey;
    this.secretKey = secretKey;
    this.log = log;
    this.process = process;
  }

  /** Starts the server with its properties and log under {@code dir}; returns once it accepts connections. */
  static S3Server start(Path dir, String accessKey, String secretKey) throws Exception {
    Files.createDirectories(dir);
    int port = Processes.freePort();
    String endpoint = "http://127.0.0.1:" + port;
    Path properties = dir.resolve("s3proxy.properties");
    Files.writeString(properties, String.join("\n",
        "s3proxy.endpoint=" + endpoint,
        "s3proxy.authorization=aws-v2-or-v4",
        "s3proxy.identity=" + accessKey,
        "s3proxy.credential=" + secretKey,
        "jclouds.provider=transient",
        "jclouds.identity=unused",
        "jclouds.credential=unused", ""));
    Path log = dir.resolve("s3proxy.log");
    Process p = new ProcessBuilder("java", "-Xmx256m", "-jar", JAR.toString(), "--properties", properties.toString())
        .redirectErrorStream(true).redirectOutput(log.toFile()).start();
    S3Server server = new S3Server(endpoint, accessKey, secretKey, log, p);
    // also when the test JVM dies before its @AfterAll (an OutOfMemoryError, a timeout)
    Runtime.getRuntime().addShutdownHook(new Thread(p::destroyForcibly));
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    while (System.nanoTime() < deadline) {
      if (!p.isAlive()) {
        fail("s3proxy exited with " + p.exitValue() + ":\n" + Processes.tail(log));
      }
      try (Socket s = new Socket()) {
        s.connect(new InetSocketAddress("127.0.0.1", port), 500);
        return server;
      } catch (IOException notYet) {
        Thread.sleep(250);
      }
    }
    server.close();
    throw new AssertionError("s3proxy did not listen on " + endpoint + " within 120 s:\n" + Processes.tail(log));
  }

  /** Buckets are made with the AWS SDK that hadoop-aws bundles: S3A itself never creates one. */
  void createBucket(String bucket) {
    AmazonS3 s3 = AmazonS3ClientBuilder.standard()
        .withEndpointConfiguration(new AwsClientBuilder.EndpointConfiguration(endpoint, "us-east-1"))
        .withPathStyleAccessEnabled(true)
        .withCredentials(new AWSStaticCredentialsProvider(new BasicAWSCredentials(accessKey, secretKey)))
        .build();
    try {
      s3.createBucket(bucket);
    } finally {
      s3.shutdown();
    }
  }

  /** The S3A settings of this server without the key pair, as Hadoop names them. */
  Map<String, String> s3aSettings() {
    return Map.of(
        "fs.s3a.endpoint", endpoint,
        "fs.s3a.path.style.access", "true",
        "fs.s3a.connection.ssl.enabled", "false",
        "fs.s3a.aws.credentials.provider", "org.apache.hadoop.fs.s3a.SimpleAWSCredentialsProvider");
  }

  /** A Hadoop configuration for this server, with its key pair, for the test's own S3A client. */
  Configuration hadoopConf() {
    Configuration conf = new Configuration();
    s3aSettings().forEach(conf::set);
    conf.set("fs.s3a.access.key", accessKey);
    conf.set("fs.s3a.secret.key", secretKey);
    return conf;
  }

  @Override
  public void close() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(20, TimeUnit.SECONDS)) {
      process.destroyForcibly().waitFor();
    }
  }
}
