package sparkssl.model.method;

import java.util.Optional;
import sparkssl.model.loss.ByolLoss;
import sparkssl.model.loss.SslLoss;
import sparkssl.model.momentum.TeacherSettings;

/** BYOL (Grill et al. 2020): predictor on the student, EMA teacher from 0.99 to 1. */
final class Byol implements SslMethod {
  @Override
  public String name() {
    return "byol";
  }

  @Override
  public Heads heads() {
    return new Heads(256, 64, true, 256, 0);
  }

  @Override
  public SslLoss loss(MethodOptions o) {
    return new ByolLoss();
  }

  @Override
  public Optional<TeacherSettings> teacher(MethodOptions o, long totalSteps) {
    return Optional.of(TeacherSettings.projections(o.teacherMomentumOr(0.99), totalSteps));
  }
}
