package sparkssl.spark.run;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.Path;
import org.deeplearning4j.nn.graph.ComputationGraph;
import sparkssl.model.ModelIO;
import sparkssl.spark.ml.EncoderInput;
import sparkssl.spark.ml.TrainedEncoder;

/**
 * One run's outputs on any Hadoop path: {@code model.zip} (the latest model), {@code checkpoints/}
 * ({@link CheckpointStore}), {@code config.json}, {@code metrics.jsonl}, {@code report.html}.
 *
 * <p>A reader finds every file whole, in its previous version or its new one ({@link AtomicWrites}),
 * so a run that dies halfway through a write leaves what it had written before intact.
 */
public final class RunDirectory {
  public static final String MODEL = TrainedEncoder.MODEL_FILE;
  public static final String CONFIG = "config.json";
  public static final String METRICS = "metrics.jsonl";
  public static final String REPORT = "report.html";
  public static final String CHECKPOINTS = "checkpoints";
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Path root;
  private final AtomicWrites files;
  private String config = "{}";

  public RunDirectory(String uri, Configuration hadoopConf) throws IOException {
    this.root = new Path(uri);
    this.files = new AtomicWrites(root.getFileSystem(hadoopConf));
  }

  public Path root() {
    return root;
  }

  /** The names of what the directory holds, hidden ones included; none when it does not exist. */
  public List<String> contents() throws IOException {
    try {
      return Arrays.stream(files.fs().listStatus(root)).map(f -> f.getPath().getName()).sorted().toList();
    } catch (FileNotFoundException e) {
      return List.of();
    }
  }

  /** Creates the directory if needed and writes and deletes a small file in it; throws when either fails. */
  public void checkWritable() throws IOException {
    FileStatus status = files.fs().exists(root) ? files.fs().getFileStatus(root) : null;
    if (status != null && !status.isDirectory()) {
      throw new IOException(root + " is a file, not a directory");
    }
    if (status == null && !files.fs().mkdirs(root)) {
      throw new IOException("cannot create " + root);
    }
    Path probe = new Path(root, ".write-probe-" + UUID.randomUUID());
    files.fs().create(probe, false).close();
    files.fs().delete(probe, false);
  }

  public void writeConfig(String json) throws IOException {
    config = json;
    files.replace(new Path(root, CONFIG), out -> out.write(json.getBytes(StandardCharsets.UTF_8)));
  }

  /**
   * Writes metrics.jsonl whole, one JSON line per record (object stores have no append), and the
   * report drawn from the same records and the configuration last written.
   */
  public void writeMetrics(List<JsonNode> records) throws IOException {
    StringBuilder lines = new StringBuilder();
    for (JsonNode record : records) {
      lines.append(JSON.writeValueAsString(record)).append('\n');
    }
    byte[] bytes = lines.toString().getBytes(StandardCharsets.UTF_8);
    files.replace(new Path(root, METRICS), out -> out.write(bytes));
    byte[] report = RunReport.html(config, lines.toString(), Instant.now()).getBytes(StandardCharsets.UTF_8);
    files.replace(new Path(root, REPORT), out -> out.write(report));
  }

  /** The model with its input's description, which eval, embed and the Spark ML transformer read. */
  public void writeModel(ComputationGraph net, EncoderInput input) throws IOException {
    files.replace(new Path(root, MODEL), out -> TrainedEncoder.write(net, input, out));
  }

  /** The run's checkpoints, keeping the newest {@code keep}. */
  public CheckpointStore checkpoints(int keep) {
    return new CheckpointStore(files.fs(), new Path(root, CHECKPOINTS), keep);
  }

  public static ComputationGraph readModel(String runDir, Configuration hadoopConf) throws IOException {
    Path p = new Path(new Path(runDir), MODEL);
    try (InputStream in = p.getFileSystem(hadoopConf).open(p)) {
      return ModelIO.read(in);
    }
  }
}
