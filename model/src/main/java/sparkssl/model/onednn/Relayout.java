package sparkssl.model.onednn;

import org.bytedeco.dnnl.memory;
import org.bytedeco.dnnl.reorder;
import org.bytedeco.dnnl.stream;

/**
 * One memory as a primitive wants to read or write it: the same memory where the layouts agree, else
 * a buffer of the wanted layout and the reorder between them (made once). The buffer is the layer's
 * own, or, given a role, this thread's {@link Scratch} buffer for it, valid until the role is used again.
 */
final class Relayout implements AutoCloseable {
  private final memory.desc wanted;
  private final memory target;
  private final memory other;
  private final reorder reorder;
  private final String role;
  private final long bytes;

  private Relayout(memory.desc from, memory.desc want, boolean toWanted, String role) {
    this.role = role;
    this.wanted = want;
    this.bytes = want.get_size();
    if (from.equals(want)) {
      target = null;
      other = null;
      reorder = null;
    } else {
      target = role == null ? OneDnn.allocate(want) : OneDnn.handle(want);
      other = OneDnn.handle(from);
      reorder = toWanted ? new reorder(other, target) : new reorder(target, other);
    }
  }

  /** The layout the primitive wants. */
  memory.desc wanted() {
    return wanted;
  }

  /** Frees the reorder and the layer's own buffer (a scratch buffer is {@link Scratch}'s). */
  @Override
  public void close() {
    if (reorder != null) {
      reorder.close();
      other.close();
      target.close();
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
      target.set_data_handle(Scratch.get(role, bytes));
    }
  }
}
