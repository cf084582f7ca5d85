package sparkssl.model.onednn;

import java.util.HashMap;
import java.util.Map;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.Pointer;

/**
 * Buffers that live only inside one layer's forward or backward call (oneDNN's blocked copies of an
 * output or a gradient), shared by every fused layer that runs on the same thread: a network's layers
 * run one after another, so one buffer per role, as large as the largest layer's, does for all of
 * them. Owned per layer, they took ResNet-18's step at 256 pairs to 14 GiB.
 */
final class Scratch {
  private static final int ALIGNMENT = 64;
  private static final ThreadLocal<Map<String, BytePointer>> BUFFERS = ThreadLocal.withInitial(HashMap::new);

  private Scratch() {}

  /** This thread's buffer for {@code role}, at least {@code bytes} long and 64-byte aligned; valid until the role is asked again. */
  static Pointer get(String role, long bytes) {
    Map<String, BytePointer> buffers = BUFFERS.get();
    BytePointer b = buffers.get(role);
    if (b == null || b.capacity() < bytes + ALIGNMENT) {
      if (b != null) {
        b.close();
      }
      b = new BytePointer(bytes + ALIGNMENT);
      buffers.put(role, b);
    }
    long misalignment = b.address() % ALIGNMENT;
    return new Pointer(b).position(misalignment == 0 ? 0 : ALIGNMENT - misalignment);
  }
}
