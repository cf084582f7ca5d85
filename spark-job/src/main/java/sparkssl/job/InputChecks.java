package sparkssl.job;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sparkssl.augment.ImageDecodeException;
import sparkssl.augment.ViewPipeline;
import org.apache.spark.sql.SparkSession;
import sparkssl.spark.corpus.CorpusFiles;
import sparkssl.spark.corpus.CorpusFormat;
import sparkssl.spark.corpus.CorpusLayout;
import sparkssl.spark.run.RunDirectory;

/**
 * What {@code train} checks before it starts Spark: the run directory is new (or {@code --resume}
 * is given) and writable, the corpus exists (its first images are checked to decode once Spark runs,
 * {@link #checkDecodes}), and each evaluation folder holds one subfolder of images per class, the bank
 * enough for the evaluation's protocols. A fault of the input is a {@link BadInputException}; a run
 * directory that cannot be written is an {@link IOException}.
 */
final class InputChecks {
  private static final Logger LOG = LoggerFactory.getLogger(InputChecks.class);
  /** Image files decoded to tell a corpus of images from one of broken or foreign files. */
  static final int SAMPLE = 64;
  private static final int NAMED = 3;

  private final JobConfig cfg;
  private final Configuration hadoop;

  InputChecks(JobConfig cfg, Configuration hadoop) {
    this.cfg = cfg;
    this.hadoop = hadoop;
  }

  void run() throws IOException {
    RunDirectory run = new RunDirectory(cfg.runDir, hadoop);
    checkRunDirectoryIsNew(run);
    cfg.corpora.format.resolve(hadoop, "--corpus", cfg.corpus);
    if (!cfg.skipEval && isFolder("--eval-train", cfg.evalTrain) && isFolder("--eval-test", cfg.evalTest)) {
      LabeledFolder bank = LabeledFolder.list("--eval-train", cfg.evalTrain, hadoop);
      bank.checkBank(cfg.evalProtocols);
      LabeledFolder test = LabeledFolder.list("--eval-test", cfg.evalTest, hadoop);
      test.checkQueries();
      Set<String> queries = new TreeSet<>(test.classes());
      queries.removeAll(bank.classes());
      if (!queries.isEmpty()) {
        throw new BadInputException("--eval-test " + cfg.evalTest + " has classes that --eval-train " + cfg.evalTrain
            + " lacks, which k-NN could never predict: " + first(new ArrayList<>(queries)));
      }
    }
    try {
      run.checkWritable();
    } catch (IOException e) {
      throw new IOException("cannot write to --run-dir " + cfg.runDir + ": " + e.getMessage(), e);
    }
  }

  private void checkRunDirectoryIsNew(RunDirectory run) throws IOException {
    FileSystem fs = run.root().getFileSystem(hadoop);
    if (fs.isFile(run.root())) {
      throw new BadInputException("--run-dir " + cfg.runDir + " is a file, not a directory");
    }
    List<String> contents = run.contents();
    if (!cfg.resume && !contents.isEmpty()) {
      throw new BadInputException("--run-dir " + cfg.runDir + " already holds a run (" + first(contents)
          + "): add --resume to continue it, or choose a new --run-dir");
    }
  }

  /** At least one of the corpus's first {@value #SAMPLE} images decodes (checked once Spark runs: a table needs it to be read). */
  static void checkDecodes(CorpusLayout corpus, ViewPipeline pipeline, SparkSession spark) throws IOException {
    List<CorpusLayout.Sample> sample = corpus.first(spark, SAMPLE);
    if (sample.isEmpty()) {
      throw new BadInputException("--corpus " + corpus.root() + " holds no PNG or JPEG images");
    }
    List<String> skipped = new ArrayList<>();
    for (CorpusLayout.Sample s : sample) {
      try {
        pipeline.decode(s.bytes());
      } catch (ImageDecodeException e) {
        skipped.add(s.name() + " (" + e.kind() + ": " + e.getMessage() + ")");
      }
    }
    String counts = (sample.size() - skipped.size()) + " of the first " + sample.size() + " images decode, "
        + skipped.size() + " skipped";
    if (skipped.size() == sample.size()) {
      throw new BadInputException("--corpus " + corpus.root() + ": " + counts + ", e.g. " + first(skipped));
    }
    if (skipped.isEmpty()) {
      LOG.info("corpus {}: {}", corpus.root(), counts);
    } else {
      LOG.warn("corpus {}: {}, e.g. {}", corpus.root(), counts, first(skipped));
    }
  }

  /** Folders are checked for their class folders here; a table's or shards' labels are read with them. */
  private boolean isFolder(String option, String root) throws IOException {
    return cfg.corpora.format.resolve(hadoop, option, root) == CorpusFormat.FOLDER;
  }

  private static String first(List<String> items) {
    return String.join(", ", items.subList(0, Math.min(NAMED, items.size()))) + (items.size() > NAMED ? ", ..." : "");
  }
}
