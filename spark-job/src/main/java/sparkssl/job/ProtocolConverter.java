package sparkssl.job;

import picocli.CommandLine;
import sparkssl.spark.eval.Protocol;

/** {@code --eval-protocol} and {@code eval --protocol}: one name of a comma list, refused at parse time when unknown. */
final class ProtocolConverter implements CommandLine.ITypeConverter<Protocol> {
  /** The options' help, which {@code train} and {@code eval} share. */
  static final String HELP = "Protocols, a comma list: knn (weighted k-NN), linear (multinomial logistic regression, L2, on "
      + "standardised embeddings; its strength chosen on a held-out 10%% of --eval-train, then refitted on all of it); each "
      + "also scores the same encoder at random init and the raw pixels it is fed";

  @Override
  public Protocol convert(String value) {
    try {
      return Protocol.of(value);
    } catch (IllegalArgumentException e) {
      throw new CommandLine.TypeConversionException(e.getMessage());
    }
  }
}
