package sparkssl.job;

import java.io.IOException;
import java.io.InputStream;
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
import sparkssl.spark.run.RunDirectory;

/**
 * What {@code train} checks before it starts Spark: the run directory is new (or {@code --resume}
 * is given) and writable, the corpus exists and its first images decode, and each evaluation folder
 * holds one subfolder of images per class, the bank enough for the evaluation's protocols. A fault of the input is a {@link BadInputException}; a run
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
    checkCorpus();
    if (!cfg.skipEval) {
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

  /** The corpus exists, holds image files, and at least one of the first {@value #SAMPLE} decodes. */
  private void checkCorpus() throws IOException {
    Path root = new Path(cfg.corpus);
    FileSystem fs = root.getFileSystem(hadoop);
    if (!fs.exists(root)) {
      throw new BadInputException("--corpus " + cfg.corpus + " does not exist");
    }
    List<FileStatus> sample = new ArrayList<>();
    Corpus.forEachImageFile(fs, root, f -> sample.add(f) && sample.size() < SAMPLE);
    if (sample.isEmpty()) {
      throw new BadInputException("--corpus " + cfg.corpus + " holds no PNG or JPEG files (.png, .jpg, .jpeg)");
    }
    ViewPipeline pipeline = new ViewPipeline(cfg.viewOptions());
    List<String> skipped = new ArrayList<>();
    for (FileStatus f : sample) {
      try (InputStream in = fs.open(f.getPath())) {
        pipeline.decode(in.readAllBytes());
      } catch (ImageDecodeException e) {
        skipped.add(f.getPath().getName() + " (" + e.kind() + ": " + e.getMessage() + ")");
      }
    }
    String counts = (sample.size() - skipped.size()) + " of the first " + sample.size() + " image files decode, "
        + skipped.size() + " skipped";
    if (skipped.size() == sample.size()) {
      throw new BadInputException("--corpus " + cfg.corpus + ": " + counts + ", e.g. " + first(skipped));
    }
    if (skipped.isEmpty()) {
      LOG.info("corpus {}: {}", cfg.corpus, counts);
    } else {
      LOG.warn("corpus {}: {}, e.g. {}", cfg.corpus, counts, first(skipped));
    }
  }

  private static String first(List<String> items) {
    return String.join(", ", items.subList(0, Math.min(NAMED, items.size()))) + (items.size() > NAMED ? ", ..." : "");
  }
}
