package sparkssl.augment;

/**
 * The two formats the decoder accepts, told apart by their first bytes.
 *
 * <p>Sniffing rather than asking every ImageIO reader keeps GIF, BMP, TIFF and WBMP readers (whose
 * loose signature check accepts many random files) out of a PNG/JPEG corpus.
 */
enum ImageFormat {
  PNG("png"), JPEG("jpeg");

  private static final byte[] PNG_SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};

  /** The ImageIO format name. */
  final String readerName;

  ImageFormat(String readerName) {
    this.readerName = readerName;
  }

  /** PNG's eight-byte signature, or JPEG's SOI followed by a marker; null for anything else. */
  static ImageFormat sniff(byte[] b) {
    if (b.length >= 3 && (b[0] & 0xff) == 0xff && (b[1] & 0xff) == 0xd8 && (b[2] & 0xff) == 0xff) {
      return JPEG;
    }
    if (b.length < PNG_SIGNATURE.length) {
      return null;
    }
    for (int i = 0; i < PNG_SIGNATURE.length; i++) {
      if (b[i] != PNG_SIGNATURE[i]) {
        return null;
      }
    }
    return PNG;
  }
}
