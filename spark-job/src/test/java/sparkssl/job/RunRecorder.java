package sparkssl.job;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.Logger;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.Property;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerJobStart;

/**
 * Records, in a run started in this JVM, every Spark job's group and description as the scheduler
 * received them, and the log lines of the job and its progress. Named in {@code spark.extraListeners},
 * so Spark makes it while it starts, after it has set up its logging (which would drop an appender
 * added earlier).
 */
public final class RunRecorder extends SparkListener {
  /** One job as submitted. */
  public record Job(int id, String group, String description) {}

  static final List<Job> JOBS = new CopyOnWriteArrayList<>();
  static final List<String> LOG = new CopyOnWriteArrayList<>();

  public RunRecorder() {
    AbstractAppender appender = new AbstractAppender("run-recorder", null, null, true, Property.EMPTY_ARRAY) {
      @Override
      public void append(LogEvent event) {
        LOG.add(event.getMessage().getFormattedMessage());
      }
    };
    appender.start();
    for (String name : List.of("sparkssl.spark.run.RunProgress", "sparkssl.job.PretrainJob")) {
      Logger logger = (Logger) LogManager.getLogger(name);
      logger.setLevel(Level.INFO);
      // one recorder per logger, however many runs this JVM starts: each line once
      logger.getAppenders().values().stream().filter(a -> a.getName().equals(appender.getName())).toList()
          .forEach(logger::removeAppender);
      logger.addAppender(appender);
    }
  }

  @Override
  public void onJobStart(SparkListenerJobStart start) {
    java.util.Properties p = start.properties();
    JOBS.add(new Job(start.jobId(), p == null ? null : p.getProperty("spark.jobGroup.id"),
        p == null ? null : p.getProperty("spark.job.description")));
  }

  static void clear() {
    JOBS.clear();
    LOG.clear();
  }
}
