package sparkssl.augment;

/** Walks a JPEG's marker segments, from SOI up to the first scan (SOS). */
final class JpegSegments {
  private static final int SOS = 0xda;
  private static final int EOI = 0xd9;

  /** Sees one segment: its marker, and its payload from {@code start} (inclusive) to {@code end}. */
  interface Visitor {
    /** True to stop the walk here. */
    boolean visit(int marker, int start, int end);
  }

  private JpegSegments() {}

  /**
   * Offset of the first SOS marker; -1 when the visitor stopped first, or the segments break or end
   * before any scan.
   */
  static int walk(byte[] b, Visitor visitor) {
    int i = 2;
    while (i + 4 <= b.length && (b[i] & 0xff) == 0xff) {
      int marker = b[i + 1] & 0xff;
      if (marker == 0xff) {
        i++; // fill byte
        continue;
      }
      if (marker == SOS) {
        return i;
      }
      if (marker == EOI) {
        return -1;
      }
      int length = (b[i + 2] & 0xff) << 8 | (b[i + 3] & 0xff);
      int end = i + 2 + length;
      if (length < 2 || end > b.length) {
        return -1;
      }
      if (visitor.visit(marker, i + 4, end)) {
        return -1;
      }
      i = end;
    }
    return -1;
  }

  /** Whether an EOI marker follows the first scan: PIL rejects a JPEG without one as truncated. */
  static boolean endsAfterScan(byte[] b) {
    int sos = walk(b, (marker, start, end) -> false);
    if (sos < 0) {
      return false;
    }
    // scan data never holds 0xFF 0xD9 (a 0xFF there is followed by 0x00 or a restart marker), so the
    // last such pair is the EOI; anything after it is trailing junk, which PIL ignores too
    for (int i = b.length - 2; i > sos; i--) {
      if ((b[i] & 0xff) == 0xff && (b[i + 1] & 0xff) == EOI) {
        return true;
      }
    }
    return false;
  }
}
