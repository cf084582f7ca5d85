package sparkssl.augment;

import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;

/**
 * A grid for looking at views: one row per image, the original (whole image, resized like
 * evaluation sees it) first, then its global views, then its local views; every tile enlarged with
 * nearest-neighbour so small images stay visible.
 */
public final class ContactSheet {
  private static final int GAP = 4;
  private static final int BACKGROUND = 0x303030;

  private final int zoom;
  private final List<List<Image>> rows = new ArrayList<>();

  /** {@code zoom}: integer enlargement of every tile. */
  public ContactSheet(int zoom) {
    if (zoom < 1) {
      throw new IllegalArgumentException("zoom must be >= 1, got " + zoom);
    }
    this.zoom = zoom;
  }

  /** An enlargement that makes {@code size}-pixel tiles about 112 pixels wide. */
  public static int zoomFor(int size) {
    return Math.max(1, Math.round(112f / size));
  }

  public void addRow(List<Image> tiles) {
    rows.add(List.copyOf(tiles));
  }

  /** The tiles of {@code count} uint8 CHW views of {@code channels x size x size} stored one after another. */
  public static List<Image> tiles(byte[] views, int count, int channels, int size) {
    List<Image> out = new ArrayList<>();
    int len = channels * size * size;
    for (int v = 0; v < count; v++) {
      float[] f = new float[len];
      for (int i = 0; i < len; i++) {
        f[i] = (views[v * len + i] & 0xff) / 255f;
      }
      out.add(new Image(channels, size, size, f));
    }
    return out;
  }

  public BufferedImage render() {
    int width = 0;
    int height = GAP;
    for (List<Image> row : rows) {
      int w = GAP;
      int h = 0;
      for (Image t : row) {
        w += t.width * zoom + GAP;
        h = Math.max(h, t.height * zoom);
      }
      width = Math.max(width, w);
      height += h + GAP;
    }
    BufferedImage sheet = new BufferedImage(Math.max(width, 1), height, BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < sheet.getHeight(); y++) {
      for (int x = 0; x < sheet.getWidth(); x++) {
        sheet.setRGB(x, y, BACKGROUND);
      }
    }
    int top = GAP;
    for (List<Image> row : rows) {
      int left = GAP;
      int h = 0;
      for (Image t : row) {
        draw(sheet, t, left, top);
        left += t.width * zoom + GAP;
        h = Math.max(h, t.height * zoom);
      }
      top += h + GAP;
    }
    return sheet;
  }

  private void draw(BufferedImage sheet, Image t, int left, int top) {
    byte[] px = t.toBytes();
    int plane = t.height * t.width;
    for (int y = 0; y < t.height * zoom; y++) {
      for (int x = 0; x < t.width * zoom; x++) {
        int i = (y / zoom) * t.width + x / zoom;
        int r = px[i] & 0xff;
        int g = t.channels == 3 ? px[plane + i] & 0xff : r;
        int b = t.channels == 3 ? px[2 * plane + i] & 0xff : r;
        sheet.setRGB(left + x, top + y, r << 16 | g << 8 | b);
      }
    }
  }
}
