package sparkssl.model.method;

import java.util.Optional;
import sparkssl.model.loss.DinoLoss;
import sparkssl.model.loss.SslLoss;
import sparkssl.model.momentum.TeacherSettings;

/**
 * DINO (Caron et al. 2021): prototype head, EMA teacher from 0.996 to 1 whose outputs are centred and
 * sharpened, multi-crop.
 */
final class Dino implements SslMethod {
  @Override
  public String name() {
    return "dino";
  }

  @Override
  public Heads heads() {
    return new Heads(256, 64, false, 0, 512);
  }

  @Override
  public SslLoss loss(MethodOptions o) {
    return new DinoLoss(o.studentTemperature);
  }

  @Override
  public Optional<TeacherSettings> teacher(MethodOptions o, long totalSteps) {
    return Optional.of(TeacherSettings.centred(o.teacherMomentumOr(0.996), totalSteps, o.teacherTemperature,
        o.centerMomentum));
  }

  @Override
  public boolean usesLocalViews() {
    return true;
  }
}
