package sparkssl.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * deploy/airflow's DAG loaded against the Airflow stand-in (deploy/src/test/python/airflow_standin):
 * the Python tests of its structure, rendering and command lines; then the commands it renders for a
 * logical date (train, eval, embed), run by the stand-in's Spark hook as {@code airflow dags test}
 * would run them, with deploy/bin/spark-submit as the spark-submit on PATH, against a real
 * two-worker standalone cluster.
 */
class AirflowDagIT {
  private static final Path PYTHON_TESTS = Processes.ROOT.resolve("deploy/src/test/python");
  private static final Path DAG = Processes.ROOT.resolve("deploy/airflow/spark_ssl_pretrain.py");
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir
  Path tmp;

  private static Map<String, String> python(Map<String, String> more) {
    Map<String, String> env = new HashMap<>(more);
    env.put("PYTHONPATH", PYTHON_TESTS.resolve("airflow_standin") + ":" + PYTHON_TESTS);
    env.put("PYTHONDONTWRITEBYTECODE", "1");
    return env;
  }

  @Test
  void dagAndStandInPassTheirPythonTests() throws Exception {
    Processes.Result r = Processes.run(tmp.resolve("unittest.log"), 120, python(Map.of()),
        List.of("/usr/bin/python3", "-m", "unittest", "discover", "-v", "-s", PYTHON_TESTS.toString(), "-p", "test_*.py"));
    assertEquals(0, r.code(), r.output());
    assertTrue(Pattern.compile("(?m)^test_train_command_is_the_one_the_hook_builds .* ok$").matcher(r.output()).find(), r.output());
    assertTrue(Pattern.compile("(?m)^OK$").matcher(r.output()).find(), r.output());
  }

  @Test
  void renderedCommandsTrainEvaluateAndEmbedOnTheLocalCluster() throws Exception {
    Path corpus = Sample.slice("train", tmp.resolve("corpus"), 16);
    Path bank = Sample.slice("train", tmp.resolve("bank"), 10);
    Path queries = Sample.slice("test", tmp.resolve("queries"), 5);
    Path runs = tmp.resolve("runs");
    Path embeddings = tmp.resolve("embeddings");
    ObjectNode conf = JSON.createObjectNode()
        .put("job_jar", Processes.JOB_JAR.toString())
        .put("corpus", corpus.toUri().toString())
        .put("eval_train", bank.toUri().toString())
        .put("eval_test", queries.toUri().toString())
        .put("run_root", withoutSlash(runs))
        .put("embeddings_root", withoutSlash(embeddings))
        .put("epochs", 1).put("batch_size", 16).put("averaging_frequency", 2)
        .put("executor_memory", "1g").put("driver_memory", "1g");
    List<String> runner = Processes.list("/usr/bin/python3", PYTHON_TESTS.resolve("dag_runner.py"), DAG, "2026-11-29",
        "--conf", JSON.writeValueAsString(conf), "--record", tmp.resolve("submitted.json"));

    try (LocalCluster cluster = LocalCluster.start(tmp.resolve("cluster"))) {
      URI master = URI.create(cluster.master);
      Map<String, String> env = python(Map.of(
          "PATH", Processes.ROOT.resolve("deploy/bin") + ":" + System.getenv("PATH"),
          "AIRFLOW_CONN_SPARK_DEFAULT", JSON.writeValueAsString(JSON.createObjectNode()
              .put("conn_type", "spark").put("host", "spark://" + master.getHost()).put("port", master.getPort())
              .set("extra", JSON.createObjectNode().put("deploy-mode", "client")))));
      Path log = tmp.resolve("dag.log");
      Processes.Result r = Processes.run(log, 1200, env, runner);
      assertEquals(0, r.code(), Processes.tail(log));

      JsonNode submitted = JSON.readTree(tmp.resolve("submitted.json").toFile());
      assertEquals(List.of("train", "eval", "embed"), fieldNames(submitted));
      for (JsonNode command : submitted) {
        List<String> args = new ArrayList<>();
        command.forEach(a -> args.add(a.asText()));
        assertEquals(List.of("spark-submit", "--master", cluster.master), args.subList(0, 3));
        assertEquals(Processes.JOB_JAR.toString(), args.get(args.indexOf("client") + 1), args.toString());
      }
      Path runDir = runs.resolve("20261129");
      assertTrue(submitted.get("train").toString().contains(withoutSlash(runDir)), submitted.toString());
      TrainedRun run = TrainedRun.check(runDir, 160);

      // eval scored the run's model as train did; embed wrote the date's partition of the table
      Matcher scored = Pattern.compile("(?m)^\\s*20\\s+0\\.07\\s+(\\S+)\\s").matcher(r.output());
      assertTrue(scored.find(), r.output());
      assertEquals(run.epoch().get("knn_top1").asDouble(), Double.parseDouble(scored.group(1)));
      Path table = embeddings.resolve("dt=2026-11-29");
      assertTrue(r.output().contains("embedded 160 images of " + corpus.toUri() + " into " + withoutSlash(table)), r.output());
      try (Stream<Path> files = Files.list(table)) {
        assertTrue(files.anyMatch(f -> f.getFileName().toString().endsWith(".parquet")), "Parquet files in " + table);
      }

      // a retry of the finished train task continues its run directory: nothing trains again, nothing
      // is lost (a restart would train the epoch anew and record other timings)
      String metrics = Files.readString(runDir.resolve("metrics.jsonl"));
      runner.addAll(List.of("--task", "train"));
      Processes.Result retry = Processes.run(tmp.resolve("retry.log"), 600, env, runner);
      assertEquals(0, retry.code(), Processes.tail(tmp.resolve("retry.log")));
      assertEquals(metrics, Files.readString(runDir.resolve("metrics.jsonl")));
      TrainedRun.check(runDir, 160);
    }
  }

  private static String withoutSlash(Path dir) {
    return dir.toUri().toString().replaceAll("/$", "");
  }

  private static List<String> fieldNames(JsonNode object) {
    List<String> names = new ArrayList<>();
    object.fieldNames().forEachRemaining(names::add);
    return names;
  }
}
