package sparkssl.augment;

/** A crop window in source pixels: top row, left column, height, width (torchvision's i, j, h, w). */
public record CropBox(int top, int left, int height, int width) {}
