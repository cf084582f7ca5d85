package sparkssl.augment;

import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;

/**
 * The random source of one view, derived only from (seed, epoch, path, view index), so a view
 * never depends on partitioning, executor, task retry or the order rows arrive in.
 */
public final class ViewSeed {
  private ViewSeed() {}

  public static SplittableRandom random(long seed, int epoch, String path, int viewIndex) {
    long h = mix(seed);
    h = mix(h ^ epoch);
    h = mix(h ^ fnv1a(path));
    h = mix(h ^ viewIndex);
    return new SplittableRandom(h);
  }

  /**
   * A file's sort key in the shuffled order of one epoch: a function of (seed, epoch, path) only, so
   * the order does not depend on file size, folder, listing order or partitioning, and is unrelated
   * to the views' random draws (different salt).
   */
  public static long orderKey(long seed, int epoch, String path) {
    return mix(mix(mix(seed ^ 0x5eed0f0fde12L) ^ epoch) ^ fnv1a(path));
  }

  private static long fnv1a(String s) {
    long h = 0xcbf29ce484222325L;
    for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
      h ^= b & 0xff;
      h *= 0x100000001b3L;
    }
    return h;
  }

  /** SplitMix64's finaliser: every input bit affects every output bit. */
  private static long mix(long z) {
    z += 0x9e3779b97f4a7c15L;
    z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
    z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
    return z ^ (z >>> 31);
  }
}
