package sparkssl.model.onednn;

import org.bytedeco.dnnl.memory;
import org.bytedeco.dnnl.reorder;
import org.bytedeco.dnnl.stream;

/**
 * One memory as a primitive wants to read or write it: the same memory where the layouts agree, else
 * a buffer of the wanted layout and the reorder between them, both made once.
 */
final class Relayout {
  private final memory target;
  private final reorder reorder;

  /** Reads {@code from}'s layout as {@code want}: {@link #in} then reorders from's data into the target. */
  private Relayout(memory.desc from, memory.desc want, boolean toWanted) {
    if (from.equals(want)) {
      target = null;
      reorder = null;
    } else {
      target = OneDnn.allocate(want);
      reorder = toWanted ? new reorder(OneDnn.handle(from), target) : new reorder(target, OneDnn.handle(from));
    }
  }

  /** For reading memory of layout {@code have} where layout {@code want} is needed. */
  static Relayout reading(memory.desc have, memory.desc want) {
    return new Relayout(have, want, true);
  }

  /** For writing, in layout {@code want}, memory whose layout is {@code have}. */
  static Relayout writing(memory.desc have, memory.desc want) {
    return new Relayout(have, want, false);
  }

  /** {@code source} in the wanted layout (reordered now if it must be). */
  memory in(stream s, memory source) {
    if (target == null) {
      return source;
    }
    reorder.execute(s, source, target);
    return target;
  }

  /** Where the primitive writes: the destination itself, or the buffer {@link #out} reorders from. */
  memory buffer(memory destination) {
    return target == null ? destination : target;
  }

  /** Moves what the primitive wrote into {@code destination}. */
  void out(stream s, memory destination) {
    if (target != null) {
      reorder.execute(s, target, destination);
    }
  }
}
