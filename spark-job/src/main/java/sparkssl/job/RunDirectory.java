package sparkssl.job;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import sparkssl.model.ModelIO;
import sparkssl.spark.ml.EncoderInput;
import sparkssl.spark.ml.TrainedEncoder;
import sparkssl.spark.run.RunReport;

/**
 * One run's outputs on any Hadoop path: {@code model.zip}, {@code checkpoints/epoch-NNNN.zip},
 * {@code config.json}, {@code metrics.jsonl}.
 *
 * <p>Every file is written beside its final name and renamed into place, so a run that dies halfway
 * through a write leaves the previous good file intact.
 */
final class RunDirectory {
  static final String MODEL = TrainedEncoder.MODEL_FILE;
  static final String CONFIG = "config.json";
  static final String METRICS = "metrics.jsonl";
  static final String REPORT = "report.html";

  private final Path root;
  private final FileSystem fs;
  private final StringBuilder metrics = new StringBuilder();
  private String config = "{}";

  RunDirectory(String uri, Configuration hadoopConf) throws IOException {
    this.root = new Path(uri);
    this.fs = root.getFileSystem(hadoopConf);
    fs.mkdirs(new Path(root, "checkpoints"));
  }

  Path root() {
    return root;
  }

  void writeConfig(String json) throws IOException {
    config = json;
    writeAtomically(new Path(root, CONFIG), out -> out.write(json.getBytes(StandardCharsets.UTF_8)));
  }

  /** Adds one JSON line to metrics.jsonl (rewritten whole: object stores have no append). */
  void appendMetrics(String jsonLine) throws IOException {
    metrics.append(jsonLine).append('\n');
    byte[] bytes = metrics.toString().getBytes(StandardCharsets.UTF_8);
    writeAtomically(new Path(root, METRICS), out -> out.write(bytes));
    byte[] report = RunReport.html(config, metrics.toString(), Instant.now()).getBytes(StandardCharsets.UTF_8);
    writeAtomically(new Path(root, REPORT), out -> out.write(report));
  }

  /** The model with its input's description, which eval, embed and the Spark ML transformer read. */
  void checkpoint(MultiLayerNetwork net, EncoderInput input, int epoch) throws IOException {
    writeAtomically(new Path(root, String.format("checkpoints/epoch-%04d.zip", epoch)), out -> TrainedEncoder.write(net, input, out));
    writeAtomically(new Path(root, MODEL), out -> TrainedEncoder.write(net, input, out));
  }

  /** Removes a scratch folder of the run (DL4J's exported batches). */
  void deleteScratch(String uri) throws IOException {
    Path p = new Path(uri);
    p.getFileSystem(fs.getConf()).delete(p, true);
  }

  static MultiLayerNetwork readModel(String runDir, Configuration hadoopConf) throws IOException {
    Path p = new Path(new Path(runDir), MODEL);
    try (InputStream in = p.getFileSystem(hadoopConf).open(p)) {
      return ModelIO.read(in);
    }
  }

  private interface Writer {
    void write(OutputStream out) throws IOException;
  }

  private void writeAtomically(Path target, Writer writer) throws IOException {
    Path tmp = new Path(target.getParent(), "." + target.getName() + ".tmp");
    try (FSDataOutputStream out = fs.create(tmp, true)) {
      writer.write(out);
    }
    // rename does not replace on HDFS or S3A: the old file goes only once the new one is complete
    if (fs.exists(target) && !fs.delete(target, false)) {
      throw new IOException("cannot replace " + target);
    }
    if (!fs.rename(tmp, target)) {
      throw new IOException("cannot rename " + tmp + " to " + target);
    }
  }
}
