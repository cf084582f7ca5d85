package sparkssl.job;

import java.io.Serializable;
import picocli.CommandLine.Option;
import sparkssl.augment.ViewOptions;
import sparkssl.model.method.MethodOptions;
import sparkssl.model.method.Methods;
import sparkssl.model.method.SslMethod;

/** The method options of {@code train}; they build {@link MethodOptions}. */
public final class MethodConfig implements Serializable {
  private static final long serialVersionUID = 1L;

  @Option(names = "--method", defaultValue = "simclr",
      description = "Self-supervised method: simclr, byol, simsiam, dino, vicreg, barlow (default: ${DEFAULT-VALUE}).")
  public String method;

  @Option(names = "--temperature", defaultValue = "0.2", description = "simclr: NT-Xent temperature (default: ${DEFAULT-VALUE}).")
  public double temperature;

  @Option(names = "--decoupled", description = "simclr: decoupled contrastive loss (DCL): the positive leaves the denominator.")
  public boolean decoupled;

  @Option(names = "--teacher-momentum",
      description = "byol, dino: EMA teacher momentum at the first step, rising to 1 on a cosine over the run (default: 0.99 byol, 0.996 dino).")
  public Double teacherMomentum;

  @Option(names = "--no-stop-gradient",
      description = "simsiam: drop the stop-gradient (a broken configuration that collapses; for demonstrating collapse detection).")
  public boolean noStopGradient;

  /** The first thing wrong with these settings, or null. */
  String problem() {
    SslMethod m;
    try {
      m = Methods.get(method);
    } catch (IllegalArgumentException e) {
      return "--method: " + e.getMessage();
    }
    if (!(temperature > 0)) return "--temperature must be > 0, got " + temperature;
    if (decoupled && !method.equals("simclr")) return "--decoupled is a simclr option; --method is " + method;
    if (noStopGradient && !method.equals("simsiam")) return "--no-stop-gradient is a simsiam option; --method is " + method;
    if (teacherMomentum != null) {
      if (m.teacher(new MethodOptions(), 1).isEmpty()) return "--teacher-momentum: " + method + " has no EMA teacher";
      if (!(teacherMomentum >= 0 && teacherMomentum <= 1)) return "--teacher-momentum must be in [0, 1], got " + teacherMomentum;
    }
    return null;
  }

  /** Why these local (multi-crop) views cannot train with this method, or null. */
  String localViewsProblem(ViewOptions views) {
    if (!Methods.get(method).usesLocalViews()) {
      return method + " cannot use local views (multi-crop is for methods such as dino)";
    }
    return views.localSize == views.size ? null : "local crops train at the global views' size (one network input): "
        + "set --augment local_size=" + views.size + ", got " + views.localSize;
  }

  MethodOptions options() {
    MethodOptions o = new MethodOptions();
    o.temperature = temperature;
    o.decoupled = decoupled;
    o.stopGradient = !noStopGradient;
    if (teacherMomentum != null) {
      o.teacherMomentum = teacherMomentum;
    }
    return o;
  }
}
