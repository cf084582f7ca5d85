package sparkssl.job;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.commons.io.FileUtils;

/**
 * One short train run per test JVM, for the tests of the commands that read a trained model: one epoch
 * on 100 images of the bundled sample with the {@code simclr} preset (ImageNet normalisation, so the
 * model's input is not the default), evaluated by both protocols on the whole bundled sample.
 */
final class TrainedRun {
  private static TrainedRun instance;

  final Path runDir;
  final JobConfig config;
  /** The job's log lines. */
  final List<String> log;

  private TrainedRun(Path runDir, JobConfig config, List<String> log) {
    this.runDir = runDir;
    this.config = config;
    this.log = log;
  }

  static synchronized TrainedRun get() throws IOException {
    if (instance == null) {
      Path root = Files.createTempDirectory("spark-ssl-trained-run");
      Runtime.getRuntime().addShutdownHook(new Thread(() -> FileUtils.deleteQuietly(root.toFile())));
      Path corpus = root.resolve("corpus");
      LocalModeJobTest.copySlice(LocalTrainRun.SAMPLE.resolve("train"), corpus, 10);
      Path runDir = root.resolve("run");
      RunRecorder.clear();
      JobConfig cfg = LocalTrainRun.run("--eval-protocol", "knn,linear", "--conf", "spark.extraListeners=" + RunRecorder.class.getName(),"--corpus", corpus.toUri().toString(), "--run-dir", runDir.toString(),
          "--eval-train", evalTrain(), "--eval-test", evalTest(),
          "--epochs", "1", "--batch-size", "16", "--workers", "2", "--averaging-frequency", "2", "--preset", "simclr");
      instance = new TrainedRun(runDir, cfg, List.copyOf(RunRecorder.LOG));
    }
    return instance;
  }

  /** The bundled sample's folders, train's default k-NN bank and queries. */
  static String evalTrain() {
    return LocalTrainRun.SAMPLE.resolve("train").toUri().toString();
  }

  static String evalTest() {
    return LocalTrainRun.SAMPLE.resolve("test").toUri().toString();
  }

  Path model() {
    return runDir.resolve("model.zip");
  }
}
