package sparkssl.job;

import java.io.Serializable;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Option;

/**
 * Where a command's Spark application runs: the options of every command that starts Spark. Train's
 * settings extend these; {@code eval} and {@code embed} take them as a mixin.
 */
public class SparkOptions implements Serializable {
  private static final long serialVersionUID = 1L;

  @Option(names = "--master", paramLabel = "URL",
      description = "Spark master; default: the one spark-submit gives, else local[*].")
  public String master;

  @Option(names = "--conf", paramLabel = "KEY=VALUE",
      description = "Extra Spark setting, repeatable (e.g. spark.hadoop.fs.s3a.endpoint=...); credentials are redacted wherever the job writes settings down.")
  public Map<String, String> sparkConf = new LinkedHashMap<>();
}
