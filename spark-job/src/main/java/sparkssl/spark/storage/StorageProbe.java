package sparkssl.spark.storage;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.nio.file.AccessDeniedException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.UnsupportedFileSystemException;

/**
 * Checks, from the driver and before any Spark work, that the store of every path of a run can be
 * reached with the run's credentials: one listing per path on a private filesystem instance whose S3A client
 * retries little and gives up on a connection quickly (see {@link #FAIL_FAST}). Hadoop's S3A
 * defaults retry for minutes (a wrong secret key alone takes over two: the AWS SDK retries a
 * signature mismatch as if it were clock skew), which is right for a long run's reads and writes but
 * leaves a user with a bad setting staring at a silent job. The run itself, and the input checks that
 * follow this probe (does the corpus exist, does it hold images), keep the user's and Hadoop's settings.
 */
public final class StorageProbe {
  /** One path of a run and the option that named it. */
  public record Target(String option, String uri) {}

  /**
   * S3A settings of the probe, each applied only when the user did not set it: no AWS SDK retries,
   * one S3A retry after half a second, 5 s to connect, 10 s for a response. A dead endpoint costs
   * at most two connection attempts, rejected credentials one request.
   */
  static final Map<String, String> FAIL_FAST = Map.of(
      "fs.s3a.attempts.maximum", "0",
      "fs.s3a.retry.limit", "1",
      "fs.s3a.retry.interval", "500ms",
      "fs.s3a.connection.establish.timeout", "5000",
      "fs.s3a.connection.timeout", "10000");

  private static final Pattern ERROR_CODE = Pattern.compile("Error Code: ([^;)]+)");
  private static final Pattern STATUS_CODE = Pattern.compile("Status Code: (\\d+)");

  private StorageProbe() {}

  /** Probes every target in order; throws {@link StorageUnusable} for the first that cannot be used. */
  public static void check(Configuration hadoopConf, List<Target> targets) {
    Configuration probe = failFast(hadoopConf);
    for (Target t : targets) {
      check(probe, t);
    }
  }

  /** A copy of {@code conf} with {@link #FAIL_FAST} where the user set nothing. */
  static Configuration failFast(Configuration conf) {
    Configuration probe = new Configuration(conf);
    FAIL_FAST.forEach((key, value) -> {
      if (!setByUser(conf, key)) {
        probe.set(key, value);
      }
    });
    return probe;
  }

  /** Set anywhere but in Hadoop's shipped defaults ({@code core-default.xml} and the like). */
  static boolean setByUser(Configuration conf, String key) {
    if (conf.get(key) == null) {
      return false;
    }
    String[] sources = conf.getPropertySources(key);
    return sources == null || !Arrays.stream(sources).allMatch(s -> s.endsWith("-default.xml"));
  }

  private static void check(Configuration probe, Target t) {
    if (Secrets.hasPassword(t.uri())) {
      throw new StorageUnusable(t.option() + " " + Secrets.redactUris(t.uri()) + ": credentials in a URI end up in logs "
          + "(and S3A refuses them); give them as settings instead, e.g. --conf spark.hadoop.fs.s3a.bucket.BUCKET.access.key=... "
          + "and ...secret.key=..., or through a credentials provider", StorageUnusable.BAD_SETTINGS);
    }
    Path path;
    try {
      path = new Path(t.uri());
    } catch (IllegalArgumentException e) {
      throw new StorageUnusable(t.option() + " '" + t.uri() + "' is not a path: " + firstLine(e.getMessage()), StorageUnusable.BAD_SETTINGS);
    }
    try (FileSystem fs = FileSystem.newInstance(path.toUri(), probe)) {
      // a listing rather than a status: S3 answers a refused HEAD with a bare 403, a LIST says why
      fs.listStatusIterator(path).hasNext();
    } catch (FileNotFoundException e) {
      // the store answered: whether the path must exist is for the command's own input checks
    } catch (UnsupportedFileSystemException e) {
      throw new StorageUnusable(t.option() + " " + t.uri() + ": no Hadoop filesystem for scheme '" + path.toUri().getScheme()
          + "' on the driver's classpath (s3a:// needs hadoop-aws and the AWS SDK bundle of the same Hadoop version)",
          StorageUnusable.ENVIRONMENT);
    } catch (IllegalArgumentException e) {
      // what a filesystem says of a URI it cannot take (no bucket, a login in it, a wrong authority)
      throw new StorageUnusable(t.option() + " " + t.uri() + ": not a usable path: " + firstLine(e.getMessage()),
          StorageUnusable.BAD_SETTINGS);
    } catch (IOException | RuntimeException e) {
      throw classify(t, path, probe, e);
    }
  }

  /** The one-line diagnosis of a failed probe. */
  static StorageUnusable classify(Target t, Path path, Configuration conf, Exception e) {
    List<Throwable> chain = new ArrayList<>();
    for (Throwable c = e; c != null && !chain.contains(c); c = c.getCause()) {
      chain.add(c);
    }
    String where = t.option() + " " + t.uri() + ": ";
    boolean s3 = path.toUri().getScheme() != null && path.toUri().getScheme().startsWith("s3");
    String endpoint = s3 ? s3Endpoint(conf, path.toUri().getHost()) : path.toUri().getAuthority();
    String store = (s3 ? "the S3 endpoint " : "the store at ") + endpoint;
    for (int i = chain.size() - 1; i >= 0; i--) { // the innermost cause says it shortest
      String unreachable = unreachableReason(chain.get(i));
      if (unreachable != null) {
        return new StorageUnusable(where + store + " is unreachable (" + unreachable + ")"
            + (s3 ? "; check fs.s3a.endpoint and that the store is up" : ""), StorageUnusable.ENVIRONMENT);
      }
    }
    String errorCode = find(ERROR_CODE, chain);
    String status = find(STATUS_CODE, chain);
    if (named(chain, "UnknownStoreException") != null || "NoSuchBucket".equals(errorCode)) {
      return new StorageUnusable(where + "bucket '" + path.toUri().getHost() + "' does not exist at " + endpoint,
          StorageUnusable.BAD_SETTINGS);
    }
    Throwable noAuth = named(chain, "NoAuthWithAWSException");
    if (noAuth != null) {
      return new StorageUnusable(where + "no S3 credentials: none of the providers in fs.s3a.aws.credentials.provider found any ("
          + firstLine(noAuth.getMessage()) + ")", StorageUnusable.BAD_SETTINGS);
    }
    if ("AccessDenied".equals(errorCode)) {
      return new StorageUnusable(where + store + " accepted the credentials but denies access to this path (AccessDenied)",
          StorageUnusable.BAD_SETTINGS);
    }
    if (chain.stream().anyMatch(c -> c instanceof AccessDeniedException) || "403".equals(status)) {
      return new StorageUnusable(where + store + " rejected the credentials (" + rejection(errorCode) + "); check "
          + "fs.s3a.access.key and fs.s3a.secret.key (or their fs.s3a.bucket." + path.toUri().getHost() + ". forms) or the "
          + "credentials provider", StorageUnusable.BAD_SETTINGS);
    }
    return new StorageUnusable(where + "cannot be listed: " + firstLine(String.valueOf(e.getMessage())), StorageUnusable.ENVIRONMENT);
  }

  private static String unreachableReason(Throwable c) {
    String name = c.getClass().getSimpleName();
    if (c instanceof UnknownHostException) {
      return "unknown host " + c.getMessage();
    }
    if (c instanceof ConnectException || c instanceof NoRouteToHostException) {
      return c.getMessage() == null ? name : c.getMessage();
    }
    if (c instanceof SocketTimeoutException || name.equals("ConnectTimeoutException")) {
      return "timed out: " + firstLine(c.getMessage());
    }
    return null;
  }

  private static String rejection(String errorCode) {
    if (errorCode == null || errorCode.startsWith("403")) {
      return "HTTP 403";
    }
    return switch (errorCode) {
      case "InvalidAccessKeyId" -> "InvalidAccessKeyId: the access key is unknown to the store";
      case "SignatureDoesNotMatch" -> "SignatureDoesNotMatch: the secret key does not belong to the access key";
      case "InvalidToken", "ExpiredToken" -> errorCode + ": the session token is invalid or has expired";
      default -> errorCode;
    };
  }

  private static String s3Endpoint(Configuration conf, String bucket) {
    String endpoint = conf.getTrimmed("fs.s3a.bucket." + bucket + ".endpoint", conf.getTrimmed("fs.s3a.endpoint", ""));
    return endpoint.isEmpty() ? "(AWS default)" : endpoint;
  }

  /** The first throwable of the chain with this class name (by name: hadoop-aws is not on every cluster). */
  private static Throwable named(List<Throwable> chain, String simpleName) {
    return chain.stream().filter(c -> c.getClass().getSimpleName().equals(simpleName)).findFirst().orElse(null);
  }

  private static String find(Pattern p, List<Throwable> chain) {
    for (Throwable c : chain) {
      if (c.getMessage() != null) {
        Matcher m = p.matcher(c.getMessage());
        if (m.find()) {
          return m.group(1).trim();
        }
      }
    }
    return null;
  }

  private static String firstLine(String s) {
    if (s == null) {
      return "";
    }
    int nl = s.indexOf('\n');
    return nl < 0 ? s : s.substring(0, nl);
  }
}
