package sparkssl.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Field;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class CommandLineTest {

  private static CommandRun run(String... args) {
    return CommandRun.of(args);
  }

  @Test
  void helpListsEveryOptionWithItsDefault() {
    assertHelpListsEveryOption("train", JobConfig.class, EvalSetOptions.class, SparkOptions.class, MethodConfig.class, ViewConfig.class,
        OptimizerConfig.class, CorpusOptions.class);
    assertHelpListsEveryOption("eval", EvalCommand.class, ModelOption.class, EvalSetOptions.class, SparkOptions.class, CorpusOptions.class);
    assertHelpListsEveryOption("embed", EmbedCommand.class, ModelOption.class, SparkOptions.class, CorpusOptions.class);
    assertHelpListsEveryOption("pack", PackCommand.class, SparkOptions.class, CorpusOptions.class);
  }

  private static void assertHelpListsEveryOption(String command, Class<?>... declaring) {
    CommandRun c = run(command, "--help");
    assertEquals(0, c.code());
    String help = c.out().replaceAll("\\s+", " ");
    for (Class<?> cls : declaring) {
      for (Field f : cls.getDeclaredFields()) {
        CommandLine.Option o = f.getAnnotation(CommandLine.Option.class);
        if (o == null) {
          continue;
        }
        assertTrue(help.contains(o.names()[0]), command + " --help misses " + o.names()[0]);
        if (!o.defaultValue().equals("__no_default_value__")) {
          assertTrue(help.contains("(default: " + o.defaultValue() + ")"), command + " --help misses the default of " + o.names()[0]);
        } else if (f.getType() != boolean.class && f.getType() != java.util.Map.class && !o.required()) {
          assertTrue(o.description()[0].contains("efault"), o.names()[0] + " says nothing of its default");
        }
      }
    }
  }

  @Test
  void unknownOptionExitsTwoWithMessage() {
    CommandRun c = run("train", "--epoch", "3");
    assertEquals(2, c.code());
    assertTrue(c.err().contains("Unknown option") && c.err().contains("'--epoch'"), c.err());
    assertEquals(List.of("spark-ssl train: Unknown options: '--epoch', '3'; did you mean --epochs or --epoch-data? (spark-ssl train --help lists the options)"),
        c.err().lines().toList(), "one line with the likely option");
  }

  @Test
  void badValuesExitTwoWithMessage() {
    CommandRun notANumber = run("train", "--epochs", "many");
    assertEquals(2, notANumber.code());
    assertTrue(notANumber.err().contains("'many' is not an int"), notANumber.err());

    CommandRun outOfRange = run("train", "--temperature", "0");
    assertEquals(2, outOfRange.code());
    assertTrue(outOfRange.err().contains("--temperature must be > 0"), outOfRange.err());

    CommandRun method = run("train", "--method", "mae");
    assertEquals(2, method.code());
    assertTrue(method.err().contains("unknown method 'mae'"), method.err());

    CommandRun format = run("train", "--corpus-format", "tgz");
    assertEquals(2, format.code());
    assertTrue(format.err().contains("'tgz' is not one of auto, folder, parquet, webdataset"), format.err());

    CommandRun shards = run("pack", "--corpus", "x", "--out", "y", "--format", "parquet", "--shard-size", "0");
    assertEquals(2, shards.code());
    assertTrue(shards.err().contains("--shard-size must be >= 1, got 0"), shards.err());

    CommandRun packFormat = run("pack", "--corpus", "x", "--out", "y", "--format", "zip");
    assertEquals(2, packFormat.code());
    assertTrue(packFormat.err().contains("--format") && packFormat.err().contains("zip"), packFormat.err());
  }

  @Test
  void badMethodSettingsExitTwoWithMessage() {
    String[][] cases = {
        {"--method mocov3", "unknown method 'mocov3' (choose from simclr, byol, simsiam, dino, vicreg, barlow)"},
        {"--method byol --decoupled", "--decoupled is a simclr option; --method is byol"},
        {"--method simclr --no-stop-gradient", "--no-stop-gradient is a simsiam option"},
        {"--method vicreg --teacher-momentum 0.99", "--teacher-momentum: vicreg has no EMA teacher"},
        {"--method byol --teacher-momentum 1.5", "--teacher-momentum must be in [0, 1]"},
        {"--method simclr --augment local_crops=2", "simclr cannot use local views"},
        {"--method dino --augment local_crops=2", "--augment local_crops: local crops train at the global views' size (one "
            + "network input): set --augment local_size=28, got 96"},
        {"--backbone vit-b16", "--backbone: unknown backbone 'vit-b16' (choose from small-cnn, small-cnn-deep, resnet18-cifar, resnet18, resnet50)"},
        {"--backbone resnet50", "--backbone: backbone resnet50 needs images of at least 32 px, got --image-size 28"},
        {"--conv-widths 32,0", "--conv-widths takes 1 to 5 widths of at least 1, got [32, 0]"},
        {"--backbone resnet18-cifar --conv-widths 64,128,256",
            "--conv-widths shapes the small CNNs only (small-cnn, small-cnn-deep); resnet18-cifar has fixed widths"},
        {"--backbone resnet18-cifar --conv-widths 32,64,128",
            "--conv-widths shapes the small CNNs only (small-cnn, small-cnn-deep); resnet18-cifar has fixed widths"},
        {"--backbone small-cnn-deep --conv-widths 1,1,1,1,1,1", "--conv-widths takes 1 to 5 widths of at least 1, got [1, 1, 1, 1, 1, 1]"},
    };
    for (String[] c : cases) {
      CommandRun r = run(("train " + c[0]).split(" "));
      assertEquals(2, r.code(), c[0]);
      assertEquals(1, r.err().lines().count(), "one line: " + r.err());
      assertTrue(r.err().contains(c[1]), c[0] + " -> " + r.err());
    }
  }

  @Test
  void badAveragingAndCostModelSettingsExitTwoWithMessage() {
    String[][] cases = {
        {"train --averaging-frequency 0", "must be >= 1 or 'auto', got 0"},
        {"train --averaging-frequency often", "'often' is neither a number of steps nor 'auto'"},
        {"cost-model --project resnet50", "--project: 'resnet50' is not BACKBONE:STEP_SECONDS"},
        {"cost-model --project resnet50:fast", "--project: step seconds must be a number"},
        {"cost-model --project vit:0.5", "unknown backbone 'vit'"},
        {"cost-model --gbps 0", "--gbps must be > 0"},
        {"cost-model --frequencies 4,0", "--frequencies must all be >= 1"},
    };
    for (String[] c : cases) {
      CommandRun r = run(c[0].split(" "));
      assertEquals(2, r.code(), c[0]);
      assertEquals(1, r.err().lines().count(), "one line: " + r.err());
      assertTrue(r.err().contains(c[1]), c[0] + " -> " + r.err());
    }
  }

  @Test
  void badOptimiserSettingsExitTwoWithMessage() {
    String[][] cases = {
        {"--epochs 5 --lr-schedule cosine --warmup-epochs 5", "--warmup-epochs (5.0) must be below --epochs (5)"},
        {"--lr-schedule cosine --warmup-epochs 12", "must be below --epochs"},
        {"--warmup-epochs 1", "--warmup-epochs needs --lr-schedule cosine"},
        {"--weight-decay -1e-4", "--weight-decay must be >= 0"},
        {"--optimizer lars --lars-exclude bias,bn,head", "unknown parameter group 'head'"},
        {"--optimizer lars --lars-exclude bias", "must name both bias and bn"},
        {"--optimizer rmsprop", "Invalid value for option '--optimizer'"},
        {"--lr-schedule step", "Invalid value for option '--lr-schedule'"},
        {"--momentum 1", "--momentum must be in [0, 1)"},
        {"--learning-rate 0", "--learning-rate must be > 0"},
        {"--lr-scaling cubic", "Invalid value for option '--lr-scaling'"},
        {"--outer-optimizer slowmo", "Invalid value for option '--outer-optimizer'"},
        {"--outer-optimizer nesterov --outer-momentum 1", "--outer-momentum must be in [0, 1), got 1.0"},
        {"--outer-momentum -0.1", "--outer-momentum must be in [0, 1), got -0.1"},
        {"--outer-lr 0", "--outer-lr must be > 0, got 0.0"},
    };
    for (String[] c : cases) {
      CommandRun r = run(("train " + c[0]).split(" "));
      assertEquals(2, r.code(), c[0]);
      assertEquals(1, r.err().lines().count(), "one line: " + r.err());
      assertTrue(r.err().contains(c[1]), c[0] + " -> " + r.err());
    }
  }

  @Test
  void badAugmentationSettingsExitTwoWithMessage() {
    CommandRun preset = run("train", "--preset", "moco");
    assertEquals(2, preset.code());
    assertTrue(preset.err().contains("unknown preset 'moco'") && preset.err().contains("byol"), preset.err());

    CommandRun key = run("train", "--augment", "blurr_p=0.5");
    assertEquals(2, key.code());
    assertTrue(key.err().contains("unknown augmentation key 'blurr_p'") && key.err().contains("blur_p"), key.err());

    CommandRun range = run("train", "--preset", "byol", "--augment", "solarize_p=0,1.2");
    assertEquals(2, range.code());
    assertTrue(range.err().contains("probabilities must be in [0, 1], got 1.2"), range.err());

    CommandRun pair = run("train", "--augment", "crop_scale=0.3");
    assertEquals(2, pair.code());
    assertTrue(pair.err().contains("crop_scale=0.3: expected MIN,MAX"), pair.err());
  }

  @Test
  void anUnknownEvaluationProtocolExitsTwoWithMessage() {
    for (String[] args : new String[][] {{"train", "--eval-protocol", "knn,svm"}, {"eval", "--model", "x.zip", "--protocol", "svm"}}) {
      CommandRun r = run(args);
      assertEquals(2, r.code(), r.err());
      assertEquals(1, r.err().lines().count(), "one line: " + r.err());
      assertTrue(r.err().contains("unknown protocol 'svm' (choose from knn, linear)"), r.err());
    }
    CommandRun skipped = run("train", "--eval-protocol", "linear", "--skip-eval");
    assertEquals(2, skipped.code(), skipped.err());
    assertTrue(skipped.err().contains("--eval-protocol linear asks for an evaluation that --skip-eval turns off"), skipped.err());
  }

  /** Refused before Spark starts, in one line that does not repeat the password. */
  @Test
  void credentialsInAPathAreRefusedWithoutRepeatingThem() {
    CommandRun r = run("train", "--corpus", "s3a://AKIAEXAMPLE:wJalrXUtnFEMI@bucket/corpus", "--skip-eval");
    assertEquals(2, r.code(), r.err());
    assertTrue(r.err().startsWith("spark-ssl train: --corpus s3a://<redacted>@bucket/corpus: credentials in a URI"), r.err());
    assertFalse(r.err().contains("wJalrXUtnFEMI"), r.err());
  }

  @Test
  void noCommandIsAUsageError() {
    assertEquals(2, run().code());
  }

}
