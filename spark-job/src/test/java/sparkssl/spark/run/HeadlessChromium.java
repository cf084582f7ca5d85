package sparkssl.spark.run;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;

/**
 * Debian's {@code chromium} in headless mode, driven over the DevTools protocol: opens a page, waits
 * for its load event, collects every console error and uncaught exception, and evaluates script in
 * the page. Outside CI a machine without chromium skips the browser tests; in CI (CI=true, where
 * {@code .ci/run} installs it) its absence fails them.
 */
public final class HeadlessChromium implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern DEVTOOLS = Pattern.compile("DevTools listening on (ws://\\S+)");
  private static final long TIMEOUT_S = 60;

  private final Process process;
  private final WebSocket socket;
  private final AtomicInteger ids = new AtomicInteger();
  private final Map<Integer, CompletableFuture<JsonNode>> replies = new ConcurrentHashMap<>();
  private final List<String> problems = new CopyOnWriteArrayList<>();
  private final Map<String, CompletableFuture<JsonNode>> awaited = new ConcurrentHashMap<>();
  private String session;

  /** The installed browser, or the test is skipped (failed in CI) with what to install. */
  public static String executable() {
    for (String name : List.of("/usr/bin/chromium", "/usr/bin/chromium-browser")) {
      if (Files.isExecutable(Path.of(name))) {
        return name;
      }
    }
    String missing = "Debian's chromium is not installed (apt-get install chromium; .ci/run installs it)";
    if ("true".equals(System.getenv("CI"))) {
      throw new AssertionError(missing);
    }
    Assumptions.abort(missing);
    return null;
  }

  public HeadlessChromium(Path profile) throws Exception {
    process = new ProcessBuilder(executable(), "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
        "--no-default-browser-check", "--remote-debugging-address=127.0.0.1", "--remote-debugging-port=0",
        "--user-data-dir=" + profile, "--window-size=1280,1600", "about:blank").redirectOutput(ProcessBuilder.Redirect.DISCARD)
        .start();
    String url = devToolsUrl();
    socket = HttpClient.newHttpClient().newWebSocketBuilder().buildAsync(URI.create(url), new Listener())
        .get(TIMEOUT_S, TimeUnit.SECONDS);
    String target = call("Target.createTarget", JSON.createObjectNode().put("url", "about:blank")).get("targetId").asText();
    session = call("Target.attachToTarget", JSON.createObjectNode().put("targetId", target).put("flatten", true))
        .get("sessionId").asText();
    call("Runtime.enable", JSON.createObjectNode());
    call("Log.enable", JSON.createObjectNode());
    call("Page.enable", JSON.createObjectNode());
  }

  /** Reads chromium's stderr up to the DevTools address, then keeps draining it. */
  private String devToolsUrl() throws IOException {
    BufferedReader err = new BufferedReader(new InputStreamReader(process.getErrorStream(), StandardCharsets.UTF_8));
    List<String> seen = new ArrayList<>();
    String line;
    while ((line = err.readLine()) != null) {
      Matcher m = DEVTOOLS.matcher(line);
      if (m.find()) {
        Thread drain = new Thread(() -> err.lines().forEach(l -> { }), "chromium-stderr");
        drain.setDaemon(true);
        drain.start();
        return m.group(1);
      }
      seen.add(line);
    }
    throw new IOException("chromium exited without a DevTools address: " + seen);
  }

  /** Opens {@code file} and waits for its load event. */
  public void open(Path file) throws Exception {
    CompletableFuture<JsonNode> loaded = new CompletableFuture<>();
    awaited.put("Page.loadEventFired", loaded);
    call("Page.navigate", JSON.createObjectNode().put("url", file.toUri().toString()));
    loaded.get(TIMEOUT_S, TimeUnit.SECONDS);
  }

  /** The JSON value of a script expression evaluated in the page. */
  public JsonNode evaluate(String expression) throws Exception {
    JsonNode result = call("Runtime.evaluate", JSON.createObjectNode().put("expression", expression)
        .put("returnByValue", true));
    if (result.has("exceptionDetails")) {
      throw new AssertionError("script failed in the page: " + result.get("exceptionDetails"));
    }
    return result.path("result").path("value");
  }

  /** Console errors, failed resource loads and uncaught exceptions so far. */
  public List<String> problems() {
    return List.copyOf(problems);
  }

  private JsonNode call(String method, ObjectNode params) throws Exception {
    int id = ids.incrementAndGet();
    ObjectNode message = JSON.createObjectNode().put("id", id).put("method", method);
    message.set("params", params);
    if (session != null) {
      message.put("sessionId", session);
    }
    CompletableFuture<JsonNode> reply = new CompletableFuture<>();
    replies.put(id, reply);
    socket.sendText(JSON.writeValueAsString(message), true).get(TIMEOUT_S, TimeUnit.SECONDS);
    JsonNode answer = reply.get(TIMEOUT_S, TimeUnit.SECONDS);
    if (answer.has("error")) {
      throw new IOException(method + ": " + answer.get("error"));
    }
    return answer.path("result");
  }

  private void onMessage(JsonNode message) {
    if (message.has("id")) {
      CompletableFuture<JsonNode> reply = replies.remove(message.get("id").asInt());
      if (reply != null) {
        reply.complete(message);
      }
      return;
    }
    String method = message.path("method").asText();
    JsonNode params = message.path("params");
    switch (method) {
      case "Runtime.exceptionThrown" -> problems.add("exception: " + params.path("exceptionDetails"));
      case "Runtime.consoleAPICalled" -> {
        if (List.of("error", "assert").contains(params.path("type").asText())) {
          problems.add("console." + params.path("type").asText() + ": " + params.path("args"));
        }
      }
      case "Log.entryAdded" -> {
        if ("error".equals(params.path("entry").path("level").asText())) {
          problems.add("log: " + params.path("entry"));
        }
      }
      default -> { }
    }
    CompletableFuture<JsonNode> waiting = awaited.remove(method);
    if (waiting != null) {
      waiting.complete(params);
    }
  }

  private final class Listener implements WebSocket.Listener {
    private final StringBuilder partial = new StringBuilder();

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
      partial.append(data);
      if (last) {
        try {
          onMessage(JSON.readTree(partial.toString()));
        } catch (IOException e) {
          problems.add("unreadable DevTools message: " + e.getMessage());
        }
        partial.setLength(0);
      }
      webSocket.request(1);
      return null;
    }
  }

  /** Closes the browser and waits for all its processes, which write into the profile until they end. */
  @Override
  public void close() throws Exception {
    List<ProcessHandle> tree = process.descendants().toList();
    try {
      // no reply to wait for: the browser may drop the connection first
      socket.sendText("{\"id\":0,\"method\":\"Browser.close\"}", true).get(5, TimeUnit.SECONDS);
    } catch (Exception e) {
      // a browser that does not take it is ended below
    }
    if (!process.waitFor(10, TimeUnit.SECONDS)) {
      process.destroyForcibly().waitFor();
    }
    for (ProcessHandle p : tree) {
      try {
        p.onExit().get(10, TimeUnit.SECONDS);
      } catch (TimeoutException e) {
        p.destroyForcibly();
        p.onExit().get(10, TimeUnit.SECONDS);
      }
    }
    socket.abort();
  }
}
