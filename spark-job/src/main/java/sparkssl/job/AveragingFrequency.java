package sparkssl.job;

import picocli.CommandLine;

/**
 * {@code --averaging-frequency}: a fixed number of worker steps between averagings, or {@code auto},
 * the smallest number that keeps the cost model's communication share under 10% (decided by probe
 * rounds on the cluster before the first epoch).
 *
 * @param steps the fixed frequency; 0 for auto
 */
record AveragingFrequency(int steps) {
  static final String AUTO = "auto";

  boolean auto() {
    return steps == 0;
  }

  /** As {@code config.json} records it: the number, or "auto". */
  Object json() {
    return auto() ? AUTO : steps;
  }

  @Override
  public String toString() {
    return auto() ? AUTO : String.valueOf(steps);
  }

  /** Parses the option's value; a number below 1 is refused here, so it never reaches a job. */
  static final class Converter implements CommandLine.ITypeConverter<AveragingFrequency> {
    @Override
    public AveragingFrequency convert(String value) {
      if (AUTO.equals(value)) {
        return new AveragingFrequency(0);
      }
      int steps;
      try {
        steps = Integer.parseInt(value);
      } catch (NumberFormatException e) {
        throw new CommandLine.TypeConversionException("'" + value + "' is neither a number of steps nor 'auto'");
      }
      if (steps < 1) {
        throw new CommandLine.TypeConversionException("must be >= 1 or 'auto', got " + steps);
      }
      return new AveragingFrequency(steps);
    }
  }
}
