package sparkssl.spark.storage;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Which Hadoop and Spark settings hold credentials, and their removal from anything written down:
 * {@code config.json}, log lines, error messages.
 *
 * <p>A setting is secret when its key matches one of {@link #SECRET_KEYS} (case-insensitive,
 * anywhere in the key, so {@code spark.hadoop.} prefixes and per-bucket or per-account forms such as
 * {@code fs.s3a.bucket.NAME.secret.key} and {@code fs.azure.account.key.ACCOUNT} are covered). The
 * table errs towards redacting: a redacted harmless setting costs a line of {@code config.json}, a
 * missed secret leaks it.
 */
public final class Secrets {
  public static final String REDACTED = "<redacted>";

  /** Key patterns of credential settings, with an example of what each is there for. */
  static final List<Pattern> SECRET_KEYS = List.of(
      // fs.s3a.secret.key, spark.authenticate.secret, OAuth client secrets, AWS_SECRET_ACCESS_KEY
      Pattern.compile("secret", Pattern.CASE_INSENSITIVE),
      // spark.ssl.keyStorePassword, fs.ftp.password.HOST, javax.jdo.option.ConnectionPassword, MYSQL_PWD; a bare
      // "pwd" only after a separator: the shell's PWD and OLDPWD hold the working directory, under which
      // corpus and run paths lie, and scrubbing it would turn them into "<redacted>/..." in every message
      Pattern.compile("passw(or)?d|[._-]pwd($|[._-])", Pattern.CASE_INSENSITIVE),
      // fs.s3a.session.token, OAuth access and refresh tokens, Kubernetes oauthToken
      Pattern.compile("token", Pattern.CASE_INSENSITIVE),
      // fs.adl.oauth2.credential; not fs.s3a.aws.credentials.provider, a class name worth seeing
      Pattern.compile("credential(?!s?\\.provider)", Pattern.CASE_INSENSITIVE),
      // fs.s3a.access.key, fs.oss.accessKeyId, AWS_ACCESS_KEY_ID
      Pattern.compile("access[._-]?key", Pattern.CASE_INSENSITIVE),
      // fs.azure.account.key.ACCOUNT.dfs.core.windows.net (storage account shared key)
      Pattern.compile("account[._-]?key", Pattern.CASE_INSENSITIVE),
      // fs.azure.sas.CONTAINER.ACCOUNT (a SAS token as the value)
      Pattern.compile("(^|\\.)fs\\.azure\\.sas\\.", Pattern.CASE_INSENSITIVE),
      // fs.gs.auth.service.account.private.key and .private.key.id
      Pattern.compile("private[._-]?key", Pattern.CASE_INSENSITIVE),
      // fs.s3a.encryption.key, fs.s3a.server-side-encryption.key, fs.gs.encryption.key(.hash)
      Pattern.compile("encryption[._-]key($|\\.)", Pattern.CASE_INSENSITIVE),
      // fs.swift.service.NAME.apikey
      Pattern.compile("api[._-]?key", Pattern.CASE_INSENSITIVE),
      // any other store's SECRET.key / ACCESS.key style: a key whose last part is "key"
      Pattern.compile("(^|[._-])key$", Pattern.CASE_INSENSITIVE));

  /**
   * {@code scheme://user:password@} in a URI, anywhere in a text. Only user-info with a password
   * part is redacted ({@code abfs://container@account...} names a container, not a secret). The
   * password may hold a '/' that its owner forgot to escape; so a text like
   * {@code http://host:8080/a@b} loses "host:8080/a" too, which errs on the safe side.
   */
  private static final Pattern URI_PASSWORD = Pattern.compile("([A-Za-z][A-Za-z0-9+.-]*://)[^/@\\s:]*:[^@\\s]*@");

  /** Values shorter than this are not scrubbed from texts by value: they would mangle ordinary words. */
  private static final int MIN_SCRUBBED_LENGTH = 4;

  /** Secret values this JVM was configured with, scrubbed from error messages printed far from the settings. */
  private static final Set<String> KNOWN_VALUES = ConcurrentHashMap.newKeySet();

  private Secrets() {}

  /** The table as one case-insensitive regular expression, for Spark's {@code spark.redaction.regex}. */
  public static String keyRegex() {
    return "(?i)" + SECRET_KEYS.stream().map(Pattern::pattern).collect(Collectors.joining("|"));
  }

  /** Whether {@code key} names a credential setting. */
  public static boolean isSecretKey(String key) {
    return SECRET_KEYS.stream().anyMatch(p -> p.matcher(key).find());
  }

  /**
   * The settings as they may be written down: credential values replaced by {@link #REDACTED},
   * passwords in URIs of the other values likewise.
   */
  public static Map<String, String> redact(Map<String, String> settings) {
    Map<String, String> out = new LinkedHashMap<>();
    settings.forEach((k, v) -> out.put(k, isSecretKey(k) ? REDACTED : redactUris(v)));
    return out;
  }

  /** {@code text} with the password of every {@code scheme://user:password@host} replaced. */
  public static String redactUris(String text) {
    return text == null ? null : URI_PASSWORD.matcher(text).replaceAll("$1" + REDACTED + "@");
  }

  /** Whether the URI carries a password in its user-info ({@code scheme://user:password@host/...}). */
  public static boolean hasPassword(String uri) {
    try {
      URI parsed = new URI(uri);
      String userInfo = parsed.getRawUserInfo();
      // an unescaped '/' in the password leaves a URI without a host: then the text decides
      return (userInfo != null && userInfo.contains(":")) || (parsed.getHost() == null && URI_PASSWORD.matcher(uri).find());
    } catch (URISyntaxException e) {
      return URI_PASSWORD.matcher(uri).find();
    }
  }

  /**
   * Remembers the values of the credential settings among {@code settings}, so that {@link #scrub}
   * removes them from any text, such as an exception's message.
   */
  public static void remember(Map<String, String> settings) {
    settings.forEach((k, v) -> {
      if (isSecretKey(k) && v != null && v.length() >= MIN_SCRUBBED_LENGTH) {
        KNOWN_VALUES.add(v);
      }
    });
  }

  /** {@code text} without URI passwords and without any remembered credential value. */
  public static String scrub(String text) {
    if (text == null) {
      return null;
    }
    String out = redactUris(text);
    for (String value : KNOWN_VALUES) {
      out = out.replace(value, REDACTED);
    }
    return out;
  }
}
