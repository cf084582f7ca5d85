package sparkssl.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.zip.ZipInputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocatedFileStatus;
import org.apache.hadoop.fs.RemoteIterator;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import sparkssl.model.ModelIO;

/**
 * The job against a real S3 server through Hadoop AWS (S3A): s3proxy as its own process with
 * signature checking on, a real two-worker standalone cluster, corpus, k-NN bank, run directory
 * (checkpoints included) and {@code embed}'s export directory on {@code s3a://}, S3A configured the
 * Hadoop way ({@code spark.hadoop.fs.s3a.*}). Also: bad S3 settings fail in seconds with a message
 * that says which, and the secret key is nowhere in what the runs leave behind.
 */
class S3ClusterIT {
  private static final String BUCKET = "sparkssl-it";
  private static final String ACCESS_KEY = "it-access-" + UUID.randomUUID().toString().substring(0, 8);
  private static final String SECRET_KEY = "it-secret-" + UUID.randomUUID();
  private static final String CORPUS = "s3a://" + BUCKET + "/data/corpus";
  private static final String BANK = "s3a://" + BUCKET + "/data/bank";

  @TempDir
  static Path tmp;

  private static S3Server s3;
  private static LocalCluster cluster;
  private static Path queries;

  @BeforeAll
  static void start() throws Exception {
    s3 = S3Server.start(tmp.resolve("s3proxy"), ACCESS_KEY, SECRET_KEY);
    s3.createBucket(BUCKET);
    try (FileSystem fs = bucket()) {
      fs.copyFromLocalFile(new org.apache.hadoop.fs.Path(Sample.slice("train", tmp.resolve("corpus"), 16).toUri()),
          new org.apache.hadoop.fs.Path(CORPUS));
      fs.copyFromLocalFile(new org.apache.hadoop.fs.Path(Sample.slice("train", tmp.resolve("bank"), 10).toUri()),
          new org.apache.hadoop.fs.Path(BANK));
    }
    queries = Sample.slice("test", tmp.resolve("queries"), 5);
    cluster = LocalCluster.start(tmp.resolve("cluster"));
  }

  @AfterAll
  static void stop() throws Exception {
    if (cluster != null) {
      cluster.close();
    }
    if (s3 != null) {
      s3.close();
    }
  }

  /** The test's own S3A client of the bucket, with the key pair. */
  private static FileSystem bucket() throws IOException {
    return FileSystem.newInstance(URI.create("s3a://" + BUCKET + "/"), s3.hadoopConf());
  }

  /**
   * The server's S3A settings as {@code --conf spark.hadoop.fs.s3a.*} options (spark-submit's and the
   * job's alike), the access key with them; the secret key is the caller's.
   */
  private static List<String> s3aConfs(String endpoint) {
    Map<String, String> conf = new LinkedHashMap<>();
    s3.s3aSettings().forEach((k, v) -> conf.put("spark.hadoop." + k, v));
    conf.put("spark.hadoop.fs.s3a.endpoint", endpoint);
    conf.put("spark.hadoop.fs.s3a.access.key", ACCESS_KEY);
    List<String> confs = new ArrayList<>();
    conf.forEach((k, v) -> confs.addAll(List.of("--conf", k + "=" + v)));
    return confs;
  }

  @Test
  void trainsFromS3IntoARunDirectoryOnS3AndLeavesTheSecretNowhere() throws Exception {
    String runDir = "s3a://" + BUCKET + "/runs/cluster";
    String embeddings = "s3a://" + BUCKET + "/embeddings/bank";
    Path driverLog = tmp.resolve("driver.log");
    // the secret key goes through the job's own --conf, so config.json's redaction is what keeps it out
    Processes.Result r = Processes.run(driverLog, 900, cluster.submit(s3aConfs(s3.endpoint), Processes.JOB_JAR,
        "train", "--corpus", CORPUS, "--eval-train", BANK, "--eval-test", queries.toUri(), "--run-dir", runDir,
        "--epochs", "2", "--batch-size", "16", "--averaging-frequency", "2",
        "--conf", "spark.hadoop.fs.s3a.secret.key=" + SECRET_KEY));
    assertEquals(0, r.code(), Processes.tail(driverLog));
    // the trained model, read from S3, embeds images on S3 into an export directory on S3
    Path embedLog = tmp.resolve("embed.log");
    Processes.Result embedded = Processes.run(embedLog, 600, cluster.submit(s3aConfs(s3.endpoint), Processes.JOB_JAR,
        "embed", "--model", runDir + "/model.zip", "--corpus", BANK, "--out", embeddings,
        "--conf", "spark.hadoop.fs.s3a.secret.key=" + SECRET_KEY));
    assertEquals(0, embedded.code(), Processes.tail(embedLog));
    assertTrue(embedded.output().contains("embedded 100 images of " + BANK + " into " + embeddings), embedded.output());

    List<Path> leftBehind = new ArrayList<>(List.of(driverLog, embedLog));
    // all but the job's jar, which executors fetch into their work folders: an input, and 300 MB
    cluster.files().stream().filter(p -> !p.toString().endsWith(".jar")).forEach(leftBehind::add);
    try (FileSystem fs = bucket()) {
      List<String> lines = List.of(read(fs, runDir + "/metrics.jsonl").split("\n"));
      assertEquals(2, lines.size(), lines.toString());
      for (String line : lines) {
        JsonNode epoch = new ObjectMapper().readTree(line);
        assertEquals(160, epoch.get("images").asLong(), "every image of the s3a corpus trained: " + epoch);
        assertTrue(Double.isFinite(epoch.get("loss").asDouble()), epoch.toString());
        Set<String> executors = new HashSet<>();
        epoch.get("executors").forEach(e -> executors.add(e.asText()));
        executors.remove("driver");
        assertEquals(2, executors.size(), "both executors read from S3 and trained: " + epoch);
        assertTrue(epoch.at("/s3_requests/get").asLong() >= 160, "each image's bytes read with a GET, counted across "
            + "the executors' JVMs: " + epoch);
      }
      assertTrue(new ObjectMapper().readTree(lines.get(0)).at("/s3_requests/list").asLong() >= 1, "the corpus listed: " + lines.get(0));
      assertTrue(new ObjectMapper().readTree(lines.get(1)).get("knn_top1").isNumber(), "k-NN with the bank on S3: " + lines.get(1));

      JsonNode config = new ObjectMapper().readTree(read(fs, runDir + "/config.json"));
      assertEquals(CORPUS, config.get("corpus").asText());
      assertEquals("<redacted>", config.get("spark_conf").get("spark.hadoop.fs.s3a.secret.key").asText(), config.toString());

      ComputationGraph model;
      try (InputStream in = fs.open(new org.apache.hadoop.fs.Path(runDir + "/model.zip"))) {
        model = ModelIO.read(in);
      }
      assertTrue(model.numParams() > 0 && Double.isFinite(model.params().sumNumber().doubleValue()), "the model read back from S3");
      JsonNode manifest = new ObjectMapper().readTree(read(fs, runDir + "/checkpoints/latest.json"));
      assertEquals(2, manifest.get("checkpoints").size(), "both epochs' checkpoints published on S3: " + manifest);
      for (JsonNode checkpoint : manifest.get("checkpoints")) {
        org.apache.hadoop.fs.Path file = new org.apache.hadoop.fs.Path(runDir + "/checkpoints/" + checkpoint.get("file").asText());
        assertEquals(checkpoint.get("bytes").asLong(), fs.getFileStatus(file).getLen(), "checkpoint on S3 as the manifest says: " + file);
      }

      // every object the runs wrote, downloaded, joins the files searched for the secret
      Path downloads = Files.createDirectories(tmp.resolve("written-objects"));
      int n = 0;
      for (String written : List.of(runDir, embeddings)) {
        RemoteIterator<LocatedFileStatus> objects = fs.listFiles(new org.apache.hadoop.fs.Path(written), true);
        while (objects.hasNext()) {
          org.apache.hadoop.fs.Path object = objects.next().getPath();
          Path local = downloads.resolve(n++ + "-" + object.getName());
          fs.copyToLocalFile(object, new org.apache.hadoop.fs.Path(local.toUri()));
          leftBehind.add(local);
        }
      }
      assertTrue(leftBehind.stream().anyMatch(p -> p.toString().endsWith(".parquet")), "the embeddings on S3: " + leftBehind);
    }
    assertTrue(leftBehind.stream().anyMatch(p -> p.toString().contains("stderr")), "executor logs searched too: " + leftBehind);
    assertTrue(containsSecret(tmp.resolve("s3proxy/s3proxy.properties")), "the search finds the secret where it is");
    for (Path file : leftBehind) {
      assertFalse(containsSecret(file), "the secret key is in " + file);
    }
  }

  @Test
  void deadEndpointFailsInSecondsSayingItIsUnreachable() throws Exception {
    String dead = "http://127.0.0.1:" + Processes.freePort();
    Failure f = launch("dead-endpoint", dead, SECRET_KEY);
    assertEquals(1, f.result.code(), f.result.output());
    assertEquals("spark-ssl train: --corpus " + CORPUS + ": the S3 endpoint " + dead
        + " is unreachable (Connection refused); check fs.s3a.endpoint and that the store is up", f.lastLine(), f.result.output());
    assertTrue(f.seconds < 30, "took " + f.seconds + " s");
  }

  @Test
  void wrongSecretFailsInSecondsSayingTheCredentialsWereRejected() throws Exception {
    String wrong = "wrong-secret-" + UUID.randomUUID();
    Failure f = launch("wrong-secret", s3.endpoint, wrong);
    assertEquals(2, f.result.code(), f.result.output());
    assertTrue(f.lastLine().startsWith("spark-ssl train: --corpus " + CORPUS + ": the S3 endpoint " + s3.endpoint
        + " rejected the credentials (SignatureDoesNotMatch: the secret key does not belong to the access key)"), f.result.output());
    assertFalse(f.result.output().contains(wrong), "the wrong secret is not repeated");
    assertTrue(f.seconds < 30, "took " + f.seconds + " s");
  }

  /** A launcher run that is to fail before any Spark work; nothing of the secret in its output. */
  private record Failure(Processes.Result result, double seconds) {
    String lastLine() {
      String[] lines = result.output().strip().split("\n");
      return lines[lines.length - 1];
    }
  }

  private static Failure launch(String name, String endpoint, String secret) throws Exception {
    List<String> command = new ArrayList<>(List.of(Processes.ROOT.resolve("deploy/bin/spark-ssl").toString(), "train",
        "--corpus", CORPUS, "--run-dir", "s3a://" + BUCKET + "/runs/" + name, "--skip-eval"));
    command.addAll(s3aConfs(endpoint));
    command.addAll(List.of("--conf", "spark.hadoop.fs.s3a.secret.key=" + secret));
    long start = System.nanoTime();
    Processes.Result r = Processes.run(tmp.resolve(name + ".log"), 120, command);
    Failure f = new Failure(r, (System.nanoTime() - start) / 1e9);
    System.out.printf("%s: exit %d after %.1f s: %s%n", name, r.code(), f.seconds, f.lastLine());
    assertFalse(r.output().contains(SECRET_KEY), r.output());
    assertFalse(r.output().contains("\tat "), "one line, no stack trace: " + r.output());
    return f;
  }

  private static String read(FileSystem fs, String path) throws IOException {
    try (InputStream in = fs.open(new org.apache.hadoop.fs.Path(path))) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8).strip();
    }
  }

  /** Whether the file's bytes, or those of any entry when it is a zip (models, checkpoints), hold the secret key. */
  private static boolean containsSecret(Path file) throws IOException {
    byte[] bytes = Files.readAllBytes(file);
    if (holdsSecret(bytes)) {
      return true;
    }
    if (bytes.length > 4 && bytes[0] == 'P' && bytes[1] == 'K' && bytes[2] == 3 && bytes[3] == 4) {
      try (ZipInputStream zip = new ZipInputStream(new ByteArrayInputStream(bytes))) {
        while (zip.getNextEntry() != null) {
          if (holdsSecret(zip.readAllBytes())) {
            return true;
          }
        }
      }
    }
    return false;
  }

  /** ISO-8859-1 maps every byte to one char, so an ASCII secret is found in any binary. */
  private static boolean holdsSecret(byte[] bytes) {
    return new String(bytes, StandardCharsets.ISO_8859_1).contains(SECRET_KEY);
  }

}
