package sparkssl.augment;

/** A decoded image: float samples in [0,1], channel-major (CHW). */
public final class Image {
  public final int channels;
  public final int height;
  public final int width;
  public final float[] data;

  public Image(int channels, int height, int width, float[] data) {
    if (data.length != channels * height * width) {
      throw new IllegalArgumentException("data length " + data.length + " != " + channels + "x" + height + "x" + width);
    }
    this.channels = channels;
    this.height = height;
    this.width = width;
    this.data = data;
  }

  /** An image of the same shape holding {@code samples}. */
  public Image with(float[] samples) {
    return new Image(channels, height, width, samples);
  }

  public float get(int c, int y, int x) {
    return data[(c * height + y) * width + x];
  }

  /** Quantises to uint8 the way torchvision's ToPILImage does for [0,1] floats (round half to even). */
  public byte[] toBytes() {
    byte[] out = new byte[data.length];
    for (int i = 0; i < data.length; i++) {
      float v = Math.min(1f, Math.max(0f, data[i]));
      out[i] = (byte) (int) Math.rint(v * 255f);
    }
    return out;
  }
}
