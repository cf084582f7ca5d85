package sparkssl.spark.train;

/**
 * Training stopped because an averaging round's mean loss, or the averaged parameters, were NaN or
 * infinite: nothing after that round can be trusted, so nothing of the epoch should be saved.
 */
public final class TrainingDivergedException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  TrainingDivergedException(int round, int rounds, long globalStep, double loss, boolean paramsFinite) {
    super("the loss was " + loss + (paramsFinite ? "" : " and the parameters not finite") + " after averaging round "
        + round + " of " + rounds + " (global step " + globalStep + ")");
  }
}
