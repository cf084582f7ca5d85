package sparkssl.job.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/** Runs one of the committed PyTorch peer scripts under deploy/bench and reads the JSON it prints. */
final class PythonPeer {
  private static final ObjectMapper JSON = new ObjectMapper();
  /** Lines of a failed peer's stderr worth showing: the traceback's end. */
  private static final int TAIL_LINES = 20;

  private PythonPeer() {}

  /** The benchmark commands' {@code --python}. */
  static final class Interpreter {
    @Option(names = "--python", defaultValue = "/usr/bin/python3",
        description = "Python 3 with Debian's python3-torch and python3-torchvision (default: ${DEFAULT-VALUE}).")
    String path;
  }

  /** The peer exited with an error; {@link #tail} holds the last lines it wrote to stderr. */
  static final class Failure extends IOException {
    private static final long serialVersionUID = 1L;
    final List<String> tail;

    Failure(String message, List<String> tail) {
      super(message);
      this.tail = tail;
    }
  }

  /** The one JSON document the peer prints; its stderr goes to this process's. */
  static JsonNode run(Interpreter python, String script, List<String> args) throws IOException, InterruptedException {
    return JSON.readTree(stdout(python, script, args, null));
  }

  /**
   * The JSON records the peer prints, one a line, as they came; its stderr goes to {@code stderrLog},
   * whose last lines a {@link Failure} carries.
   */
  static List<JsonNode> records(Interpreter python, String script, List<String> args, Path stderrLog)
      throws IOException, InterruptedException {
    List<JsonNode> records = new ArrayList<>();
    for (String line : stdout(python, script, args, stderrLog).split("\n")) {
      if (!line.isBlank()) {
        records.add(JSON.readTree(line));
      }
    }
    return records;
  }

  private static String stdout(Interpreter python, String script, List<String> args, Path stderrLog)
      throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>();
    cmd.add(python.path);
    cmd.add(Paths.get(System.getProperty("sparkssl.home", "."), "deploy/bench", script).toString());
    cmd.addAll(args);
    ProcessBuilder builder = new ProcessBuilder(cmd);
    builder.redirectError(stderrLog == null ? ProcessBuilder.Redirect.INHERIT : ProcessBuilder.Redirect.to(stderrLog.toFile()));
    Process proc = builder.start();
    String stdout = new String(proc.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    int code = proc.waitFor();
    if (code != 0) {
      List<String> tail = List.of();
      if (stderrLog != null) {
        List<String> lines = Files.readAllLines(stderrLog, StandardCharsets.UTF_8);
        tail = lines.subList(Math.max(0, lines.size() - TAIL_LINES), lines.size());
      }
      throw new Failure("Python peer " + script + " failed with exit code " + code + " (" + String.join(" ", cmd)
          + "); are python3-torch and python3-torchvision installed?", tail);
    }
    return stdout;
  }
}
