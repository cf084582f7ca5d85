package sparkssl.job;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.SparkConf;
import org.apache.spark.deploy.SparkHadoopUtil$;
import org.apache.spark.sql.SparkSession;
import scala.Tuple2;
import sparkssl.spark.storage.Secrets;
import sparkssl.spark.storage.StorageProbe;

/** The Spark session of a run: spark-submit's master if it gave one, else local mode. */
public final class SparkSessions {
  /** Without it dl4j-spark's training statistics ask an NTP server for the time, and fail offline. */
  static final String TIME_SOURCE =
      "-Dorg.deeplearning4j.spark.time.TimeSource=org.deeplearning4j.spark.time.SystemClockTimeSource";

  private SparkSessions() {}

  /**
   * The Spark settings of a run: the command line's over spark-submit's and spark-defaults' (which
   * arrive as system properties), and the job's own additions. Their credentials, and those of the
   * environment's credential variables, are remembered for {@link Secrets#scrub}.
   */
  public static SparkConf conf(SparkOptions cfg) {
    SparkConf conf = new SparkConf().setAppName("spark-ssl");
    if (cfg.master != null) {
      conf.setMaster(cfg.master);
    } else if (!conf.contains("spark.master")) {
      conf.setMaster("local[*]");
    }
    for (Map.Entry<String, String> e : cfg.sparkConf.entrySet()) {
      conf.set(e.getKey(), e.getValue());
    }
    if (conf.get("spark.master").startsWith("local")) {
      conf.setIfMissing("spark.driver.host", "127.0.0.1");
      conf.setIfMissing("spark.driver.bindAddress", "127.0.0.1");
    }
    System.setProperty("org.deeplearning4j.spark.time.TimeSource",
        "org.deeplearning4j.spark.time.SystemClockTimeSource");
    String executorOpts = conf.get("spark.executor.extraJavaOptions", "");
    if (!executorOpts.contains("TimeSource")) {
      conf.set("spark.executor.extraJavaOptions", (executorOpts + " " + TIME_SOURCE).trim());
    }
    // malloc huge pages on executors too (the launcher sets them for the driver): ND4J's fresh
    // off-heap buffers page-fault less, +10% on the ResNet-18 step; glibc without the tunable ignores it
    conf.setIfMissing("spark.executorEnv.GLIBC_TUNABLES", "glibc.malloc.hugetlb=1");
    // Spark's own redaction (web UI, event log, spark-submit --verbose) misses Azure account keys,
    // GCS private keys, encryption keys: give it the job's table
    conf.setIfMissing("spark.redaction.regex", Secrets.keyRegex());
    Map<String, String> settings = new HashMap<>();
    for (Tuple2<String, String> setting : conf.getAll()) {
      settings.put(setting._1(), setting._2());
    }
    Secrets.remember(settings);
    Secrets.remember(System.getenv());
    return conf;
  }

  /**
   * {@link #conf}, once the stores of {@code paths} answered the {@link StorageProbe}: a dead S3
   * endpoint or rejected credentials end the command here, in seconds, before Spark starts.
   */
  static SparkConf probed(SparkOptions cfg, List<StorageProbe.Target> paths) {
    SparkConf conf = conf(cfg);
    StorageProbe.check(hadoopConfiguration(conf), paths);
    return conf;
  }

  public static SparkSession create(SparkConf conf) {
    return SparkSession.builder().config(conf).getOrCreate();
  }

  static SparkSession create(SparkOptions cfg) {
    return create(conf(cfg));
  }

  /**
   * The Hadoop configuration the session will have ({@code spark.hadoop.*} settings, AWS credentials
   * from the environment), made the way SparkContext makes it, for file system access before Spark starts.
   */
  static Configuration hadoopConfiguration(SparkConf conf) {
    return SparkHadoopUtil$.MODULE$.get().newConfiguration(conf);
  }
}
