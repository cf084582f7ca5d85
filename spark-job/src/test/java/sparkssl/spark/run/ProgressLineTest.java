package sparkssl.spark.run;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** On a terminal progress is one line, redrawn in place, the cursor left at its start, and wiped when done. */
class ProgressLineTest {
  @Test
  void redrawsOneLineAndWipesItsLeftovers() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    ProgressLine line = new ProgressLine.Terminal(new PrintStream(bytes, true, StandardCharsets.UTF_8));
    line.show("epoch 1/2  10/20 images");
    line.show("epoch 1/2  15/20");
    line.clear();
    line.clear();
    assertEquals("\repoch 1/2  10/20 images\r" + "\repoch 1/2  15/20       \r" + "\r" + " ".repeat(16) + "\r",
        bytes.toString(StandardCharsets.UTF_8));
  }
}
