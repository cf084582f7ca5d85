package sparkssl.augment;

import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32;

/**
 * Checks every PNG chunk's CRC, which ImageIO's PNG reader skips: a flipped bit in the header would
 * otherwise decode as an image of the wrong size or colour type instead of being rejected, as PIL
 * rejects it.
 */
final class PngChunks {
  private PngChunks() {}

  /** Null when every chunk is whole and its CRC matches; else what is wrong. */
  static String problem(byte[] b) {
    long i = 8;
    CRC32 crc = new CRC32();
    while (i < b.length) {
      if (i + 12 > b.length) {
        return "truncated chunk header at byte " + i;
      }
      int at = (int) i;
      long length = (b[at] & 0xffL) << 24 | (b[at + 1] & 0xff) << 16 | (b[at + 2] & 0xff) << 8 | (b[at + 3] & 0xff);
      String type = new String(b, at + 4, 4, StandardCharsets.ISO_8859_1);
      if (at + 12 + length > b.length) {
        return "chunk " + type + " truncated";
      }
      int end = at + 8 + (int) length;
      crc.reset();
      crc.update(b, at + 4, 4 + (int) length);
      long stored = (b[end] & 0xffL) << 24 | (b[end + 1] & 0xff) << 16 | (b[end + 2] & 0xff) << 8 | (b[end + 3] & 0xff);
      if (crc.getValue() != stored) {
        return "bad CRC in chunk " + type;
      }
      if (type.equals("IEND")) {
        return null; // anything after it is ignored, by PIL too
      }
      i = end + 4L;
    }
    return null;
  }
}
