package sparkssl.spark.corpus;

import java.io.Serializable;
import java.util.Map;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.statistics.IOStatistics;
import org.apache.hadoop.fs.statistics.IOStatisticsSupport;
import org.apache.hadoop.fs.statistics.StoreStatisticNames;

/**
 * S3 requests by kind that one JVM's S3A connector has made to one bucket since it was opened, from
 * the connector's own IOStatistics: LIST pages (first and continued), HEADs (object metadata, one per
 * {@code getFileStatus} of a file) and GETs (each opened or reopened object stream).
 */
public record S3Requests(long list, long head, long get) implements Serializable {
  public static final S3Requests NONE = new S3Requests(0, 0, 0);

  /** The counters of {@code fs}, or none when it keeps no IOStatistics. */
  public static S3Requests of(FileSystem fs) {
    IOStatistics stats = IOStatisticsSupport.retrieveIOStatistics(fs);
    if (stats == null) {
      return NONE;
    }
    Map<String, Long> c = stats.counters();
    return new S3Requests(
        c.getOrDefault(StoreStatisticNames.OBJECT_LIST_REQUEST, 0L) + c.getOrDefault(StoreStatisticNames.OBJECT_CONTINUE_LIST_REQUEST, 0L),
        c.getOrDefault(StoreStatisticNames.OBJECT_METADATA_REQUESTS, 0L),
        c.getOrDefault(StoreStatisticNames.ACTION_HTTP_GET_REQUEST, 0L));
  }

  public S3Requests plus(S3Requests o) {
    return new S3Requests(list + o.list, head + o.head, get + o.get);
  }

  public S3Requests minus(S3Requests o) {
    return new S3Requests(list - o.list, head - o.head, get - o.get);
  }

  /** Each kind's larger count: of two readings of the same monotonic counters, the later one. */
  S3Requests latest(S3Requests o) {
    return new S3Requests(Math.max(list, o.list), Math.max(head, o.head), Math.max(get, o.get));
  }

  @Override
  public String toString() {
    return list + " LIST, " + head + " HEAD, " + get + " GET";
  }
}
