package sparkssl.job;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;

/** Runs one of the committed PyTorch peer scripts under deploy/bench and reads the JSON it prints. */
final class PythonPeer {
  private PythonPeer() {}

  static JsonNode run(String python, String script, List<String> args) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>();
    cmd.add(python);
    cmd.add(Paths.get(System.getProperty("sparkssl.home", "."), "deploy/bench", script).toString());
    cmd.addAll(args);
    Process proc = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    String stdout = new String(proc.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (proc.waitFor() != 0) {
      throw new IOException("Python peer failed (" + String.join(" ", cmd) + "); are python3-torch and python3-torchvision installed?");
    }
    return new ObjectMapper().readTree(stdout);
  }
}
