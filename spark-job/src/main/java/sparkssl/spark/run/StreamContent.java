package sparkssl.spark.run;

import java.io.IOException;
import java.io.OutputStream;

/** Writes a file's or a checkpoint part's bytes to a stream it does not close. */
@FunctionalInterface
public interface StreamContent {
  void write(OutputStream out) throws IOException;
}
