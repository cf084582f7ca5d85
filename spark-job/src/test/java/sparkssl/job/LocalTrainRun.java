package sparkssl.job;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;

/** Runs {@code train} (input checks, then the job) in Spark local mode with 2 cores, in this JVM, and reads the run's metrics. */
public final class LocalTrainRun {
  public static final Path SAMPLE = Paths.get("..", "data", "sample", "fashion-mnist").toAbsolutePath().normalize();

  private LocalTrainRun() {}

  /** The parsed configuration of {@code args} plus local[2] and no UI, after running it. */
  static JobConfig run(String... args) throws IOException {
    JobConfig cfg = new JobConfig();
    List<String> all = new ArrayList<>(List.of(args));
    all.addAll(List.of("--master", "local[2]", "--conf", "spark.ui.enabled=false"));
    new picocli.CommandLine(cfg).parseArgs(all.toArray(String[]::new));
    cfg.resolveDefaults();
    TrainCommand.train(cfg);
    return cfg;
  }

  static List<JsonNode> metrics(Path runDir) throws IOException {
    List<JsonNode> metrics = new ArrayList<>();
    for (String line : Files.readAllLines(runDir.resolve("metrics.jsonl"))) {
      metrics.add(new ObjectMapper().readTree(line));
    }
    return metrics;
  }
}
