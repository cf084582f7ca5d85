package sparkssl.model.onednn;

import org.bytedeco.dnnl.memory;
import org.bytedeco.dnnl.reorder;
import org.bytedeco.dnnl.stream;

/**
 * One memory as a primitive wants to read or write it: the same memory where the layouts agree, else
 * a buffer of the wanted layout and the reorder between them (made once). The buffer is the layer's
 * own, or, given a role, this thread's {@link Scratch} buffer for it, valid until the role is used again.
 */
final class Relayout {
  private final memory target;
  private final reorder reorder;
  private final String role;

  private Relayout(memory.desc from, memory.desc want, boolean toWanted, String role) {
    this.role = role;
    if (from.equals(want)) {
      target = null;
      reorder = null;
    } else {
      target = role == null ? OneDnn.allocate(want) : OneDnn.handle(want);
      reorder = toWanted ? new reorder(OneDnn.handle(from), target) : new reorder(target, OneDnn.handle(from));
    }
  }

  /** For reading memory of layout {@code have} where layout {@code want} is needed, into the layer's own buffer. */
  static Relayout reading(memory.desc have, memory.desc want) {
    return new Relayout(have, want, true, null);
  }

  /** For reading memory of layout {@code have} where layout {@code want} is needed, in a scratch buffer. */
  static Relayout reading(memory.desc have, memory.desc want, String role) {
    return new Relayout(have, want, true, role);
  }

  /** For writing, in layout {@code want} (in a scratch buffer), memory whose layout is {@code have}. */
  static Relayout writing(memory.desc have, memory.desc want, String role) {
    return new Relayout(have, want, false, role);
  }

  /** {@code source} in the wanted layout (reordered now if it must be). */
  memory in(stream s, memory source) {
    if (target == null) {
      return source;
    }
    claim();
    reorder.execute(s, source, target);
    return target;
  }

  /** Where the primitive writes: the destination itself, or the buffer {@link #out} reorders from. */
  memory buffer(memory destination) {
    if (target == null) {
      return destination;
    }
    claim();
    return target;
  }

  /** Moves what the primitive wrote into {@code destination}. */
  void out(stream s, memory destination) {
    if (target != null) {
      reorder.execute(s, target, destination);
    }
  }

  private void claim() {
    if (role != null) {
      target.set_data_handle(Scratch.get(role, target.get_desc().get_size()));
    }
  }
}
