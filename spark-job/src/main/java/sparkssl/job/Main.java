package sparkssl.job;

import java.io.PrintWriter;
import java.io.StringWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;
import sparkssl.job.bench.AugmentBenchmarkCommand;
import sparkssl.job.bench.CostModelCommand;
import sparkssl.job.bench.StepBenchmarkCommand;
import sparkssl.job.bench.TrainBenchmarkCommand;
import sparkssl.spark.storage.Secrets;
import sparkssl.spark.corpus.CorpusUnreadable;
import sparkssl.spark.storage.StorageUnusable;

/** {@code spark-ssl}: the command-line entry point, for the launcher and for spark-submit alike. */
@Command(name = "spark-ssl", mixinStandardHelpOptions = true, version = "spark-ssl 0.1.0",
    description = "Self-supervised image pretraining on Apache Spark with DL4J parameter averaging.",
    subcommands = {TrainCommand.class, EvalCommand.class, EmbedCommand.class, PreviewCommand.class, PackCommand.class, FashionMnistCommand.class, StepBenchmarkCommand.class,
        TrainBenchmarkCommand.class, AugmentBenchmarkCommand.class, CostModelCommand.class,
        CommandLine.HelpCommand.class})
public final class Main implements Runnable {
  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Option(names = "--verbose", scope = ScopeType.INHERIT,
      description = "On failure, also print the stack trace (default: one line).")
  boolean verbose;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "a command is required (train, eval, embed, preview, pack, prepare-fashion-mnist, benchmark-step, benchmark-train, benchmark-augment, cost-model)");
  }

  /**
   * Runs the command line. Exit code 0 success; 2 a bad command line, input or storage setting (one
   * line on stderr); 1 any other failure (one line on stderr, the stack trace too with
   * {@code --verbose}). Both go out with credentials scrubbed.
   */
  public static int execute(String... args) {
    Main main = new Main();
    return new CommandLine(main)
        .setParameterExceptionHandler((e, unused) -> {
          CommandLine cmd = e.getCommandLine();
          String suggestions = e instanceof CommandLine.UnmatchedArgumentException u && !u.getSuggestions().isEmpty()
              ? "; did you mean " + String.join(" or ", u.getSuggestions()) + "?" : "";
          cmd.getErr().println(cmd.getCommandSpec().qualifiedName() + ": " + e.getMessage() + suggestions
              + " (" + cmd.getCommandSpec().qualifiedName() + " --help lists the options)");
          return cmd.getCommandSpec().exitCodeOnInvalidInput();
        })
        .setExecutionExceptionHandler((e, cmd, parsed) -> {
          // an unusable path or storage setting is diagnosed in its line, as bad input is
          boolean diagnosed = e instanceof BadInputException || e instanceof CorpusUnreadable || e instanceof StorageUnusable;
          boolean badInput = e instanceof BadInputException || e instanceof CorpusUnreadable
              || (e instanceof StorageUnusable u && u.exitCode() == StorageUnusable.BAD_SETTINGS);
          cmd.getErr().println(cmd.getCommandSpec().qualifiedName() + ": " + Secrets.scrub(firstLine(e))
              + (diagnosed || main.verbose ? "" : " (--verbose shows the stack trace)"));
          if (main.verbose) {
            StringWriter trace = new StringWriter();
            e.printStackTrace(new PrintWriter(trace));
            cmd.getErr().print(Secrets.scrub(trace.toString()));
            cmd.getErr().flush();
          }
          return badInput ? cmd.getCommandSpec().exitCodeOnInvalidInput() : cmd.getCommandSpec().exitCodeOnExecutionException();
        })
        .execute(args);
  }

  private static String firstLine(Exception e) {
    String message = e.getMessage();
    if (message == null || message.isBlank()) {
      return e.getClass().getName();
    }
    return message.lines().findFirst().orElse(message).strip();
  }

  public static void main(String[] args) {
    int code = execute(args);
    System.exit(code);
  }
}
