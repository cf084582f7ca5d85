package sparkssl.job;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code spark-ssl}: the command-line entry point, for the launcher and for spark-submit alike. */
@Command(name = "spark-ssl", mixinStandardHelpOptions = true, version = "spark-ssl 0.1.0",
    description = "Self-supervised image pretraining on Apache Spark with DL4J parameter averaging.",
    subcommands = {TrainCommand.class, EvalCommand.class, EmbedCommand.class, PreviewCommand.class, FashionMnistCommand.class, StepBenchmarkCommand.class,
        AugmentBenchmarkCommand.class,
        CommandLine.HelpCommand.class})
public final class Main implements Runnable {
  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "a command is required (train, eval, embed, preview, prepare-fashion-mnist, benchmark-step, benchmark-augment)");
  }

  /** Runs the command line; exit code 0 success, 1 failure, 2 bad usage. */
  public static int execute(String... args) {
    return new CommandLine(new Main())
        .setExecutionExceptionHandler((e, cmd, parsed) -> {
          cmd.getErr().println("spark-ssl: " + cmd.getCommandName() + " failed: " + e);
          org.slf4j.LoggerFactory.getLogger(Main.class).error("failed", e);
          return 1;
        })
        .execute(args);
  }

  public static void main(String[] args) {
    int code = execute(args);
    System.exit(code);
  }
}
