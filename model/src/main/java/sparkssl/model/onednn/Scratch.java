package sparkssl.model.onednn;

import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.Pointer;

/**
 * Buffers that live only inside one layer's forward or backward call (oneDNN's blocked copies of an
 * output or a gradient), shared by every fused layer that runs on the same thread: a network's layers
 * run one after another, so one buffer per role, as large as the largest layer's, does for all of
 * them. Owned per layer, they took ResNet-18's step at 256 pairs to 14 GiB.
 *
 * <p>Bounded by the threads alive: Spark's task threads come and go (its pool ends a thread idle for a
 * minute), and a dead thread's buffers, hundreds of MB at 256 pairs, would otherwise wait for a
 * collection of the old generation that a quiet heap may never run. A thread that allocates frees
 * those of threads that have ended.
 */
final class Scratch {
  private static final int ALIGNMENT = 64;
  private static final ThreadLocal<Map<String, BytePointer>> BUFFERS = ThreadLocal.withInitial(Scratch::register);
  /** Every thread's buffers; a thread changes only its own (concurrent maps: {@link #bytesHeld} reads them all). */
  private static final Map<Thread, Map<String, BytePointer>> BY_THREAD = new HashMap<>();

  private Scratch() {}

  /** This thread's buffer for {@code role}, at least {@code bytes} long and 64-byte aligned; valid until the role is asked again. */
  static Pointer get(String role, long bytes) {
    Map<String, BytePointer> buffers = BUFFERS.get();
    BytePointer b = buffers.get(role);
    if (b == null || b.capacity() < bytes + ALIGNMENT) {
      freeEndedThreads();
      if (b != null) {
        b.close();
      }
      b = new BytePointer(bytes + ALIGNMENT);
      buffers.put(role, b);
    }
    long misalignment = b.address() % ALIGNMENT;
    return new Pointer(b).position(misalignment == 0 ? 0 : ALIGNMENT - misalignment);
  }

  /** Bytes held for all threads, ended ones not yet freed included. */
  static synchronized long bytesHeld() {
    return BY_THREAD.values().stream().flatMap(m -> m.values().stream()).mapToLong(BytePointer::capacity).sum();
  }

  private static synchronized Map<String, BytePointer> register() {
    Map<String, BytePointer> buffers = new ConcurrentHashMap<>();
    BY_THREAD.put(Thread.currentThread(), buffers);
    return buffers;
  }

  private static synchronized void freeEndedThreads() {
    for (Iterator<Map.Entry<Thread, Map<String, BytePointer>>> it = BY_THREAD.entrySet().iterator(); it.hasNext();) {
      Map.Entry<Thread, Map<String, BytePointer>> e = it.next();
      if (!e.getKey().isAlive()) {
        e.getValue().values().forEach(BytePointer::close);
        it.remove();
      }
    }
  }
}
