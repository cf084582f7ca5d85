package sparkssl.model.onednn;

import org.bytedeco.dnnl.engine;
import org.bytedeco.dnnl.memory;
import org.bytedeco.dnnl.stream;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/** The CPU engine and the few calls every fused layer makes: descriptors, memory, ND4J buffers as oneDNN memory, output geometry. */
final class OneDnn {
  private static final class Holder {
    static final engine ENGINE = new engine(engine.kind.cpu, 0);
  }

  private OneDnn() {}

  static engine engine() {
    return Holder.ENGINE;
  }

  /** A stream per primitive set: streams are not for sharing between threads, and Spark runs a worker per thread. */
  static stream newStream() {
    return new stream(engine());
  }

  static memory.desc plain(long[] dims, memory.format_tag tag) {
    return new memory.desc(dims, memory.data_type.f32, tag);
  }

  /** Lets the primitive choose its layout (oneDNN's blocked formats are what make it fast). */
  static memory.desc any(long[] dims) {
    return plain(dims, memory.format_tag.any);
  }

  static memory allocate(memory.desc desc) {
    return new memory(desc, engine());
  }

  /** Memory of the given plain layout whose data handle is set to an ND4J array per call ({@link #point}). */
  static memory handle(memory.desc desc) {
    return new memory(desc, engine(), null);
  }

  /**
   * Points {@code m} at the array's data. The array must be float32, row-major and dense: oneDNN
   * reads it as one block (ND4J's address pointer already includes a view's offset).
   */
  static memory point(memory m, INDArray a) {
    if (a.dataType() != DataType.FLOAT || !denseRowMajor(a)) {
      throw new IllegalArgumentException("oneDNN needs a dense row-major float32 array, got "
          + a.shapeInfoToString().replace('\n', ' '));
    }
    m.set_data_handle(a.data().addressPointer());
    return m;
  }

  /** A dense row-major copy when the array is not one already. */
  static INDArray dense(INDArray a) {
    return denseRowMajor(a) ? a : a.dup('c');
  }

  /** Row-major without gaps, whatever ND4J's order flag says (a vector or size-1 axes have either). */
  private static boolean denseRowMajor(INDArray a) {
    long expected = 1;
    for (int d = a.rank() - 1; d >= 0; d--) {
      if (a.size(d) != 1 && a.stride(d) != expected) {
        return false;
      }
      expected *= a.size(d);
    }
    return true;
  }

  /** Output side of a convolution for an input side, as DL4J computes it. */
  static long outSize(long in, int kernel, int stride, int padding, boolean same) {
    return same ? (in + stride - 1) / stride : (in + 2L * padding - kernel) / stride + 1;
  }

  /** {begin, end} padding of one side: DL4J's Same mode pads the end more when the total is odd. */
  static long[] padding(long in, long out, int kernel, int stride, int padding, boolean same) {
    if (!same) {
      return new long[] {padding, padding};
    }
    long total = Math.max(0, (out - 1) * stride + kernel - in);
    return new long[] {total / 2, total - total / 2};
  }
}
