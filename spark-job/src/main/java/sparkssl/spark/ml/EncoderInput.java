package sparkssl.spark.ml;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.io.Serializable;
import sparkssl.augment.ViewOptions;
import sparkssl.augment.ViewPipeline;

/**
 * What an encoder is fed: every image decoded to {@code channels}, resized whole to
 * {@code imageSize} x {@code imageSize} (no augmentation) and normalised as in training. Train's k-NN
 * evaluation, {@code eval}, {@code embed} and {@link EncoderModel} all make their input this way;
 * it travels inside the model file, so a model is embedded as it was trained wherever it goes.
 */
public record EncoderInput(
    @JsonProperty("image_size") int imageSize,
    @JsonProperty("channels") int channels,
    @JsonProperty("normalize_mean") double[] normalizeMean,
    @JsonProperty("normalize_std") double[] normalizeStd,
    @JsonProperty("max_pixels") long maxPixels) implements Serializable {

  /** The input of a network trained on views made with {@code views}. */
  public static EncoderInput of(ViewOptions views) {
    return new EncoderInput(views.size, views.channels, views.normalizeMean.clone(), views.normalizeStd.clone(), views.maxPixels);
  }

  /** The pipeline whose {@link ViewPipeline#plain} and {@link ViewPipeline#normalize} make this input. */
  public ViewPipeline pipeline() {
    ViewOptions o = new ViewOptions();
    o.size = imageSize;
    o.channels = channels;
    o.normalizeMean = normalizeMean.clone();
    o.normalizeStd = normalizeStd.clone();
    o.maxPixels = maxPixels;
    return new ViewPipeline(o);
  }

  /** Floats per image: {@code C * H * W}. */
  int length() {
    return channels * imageSize * imageSize;
  }
}
