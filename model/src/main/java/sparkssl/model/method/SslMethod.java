package sparkssl.model.method;

import java.util.Optional;
import sparkssl.model.loss.SslLoss;
import sparkssl.model.momentum.TeacherSettings;

/** A self-supervised method: what it needs around the encoder, and its loss. */
public interface SslMethod {
  /** The name {@code --method} takes. */
  String name();

  /** Default heads for small images; projector sizes may be overridden. */
  Heads heads();

  SslLoss loss(MethodOptions options);

  /** The EMA teacher, for methods that have one; the teacher produces the loss's targets. */
  default Optional<TeacherSettings> teacher(MethodOptions options, long totalSteps) {
    return Optional.empty();
  }

  /** Whether the method uses local (multi-crop) views beside the two global ones. */
  default boolean usesLocalViews() {
    return false;
  }
}
