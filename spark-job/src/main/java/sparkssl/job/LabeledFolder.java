package sparkssl.job;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RemoteIterator;
import sparkssl.spark.eval.LinearProbe;
import sparkssl.spark.eval.Protocol;
import sparkssl.spark.corpus.CorpusFiles;

/**
 * A labeled image folder as listed before any Spark job: one subfolder of images per class (an
 * image's class is its parent folder's name), and how many image files each holds.
 */
final class LabeledFolder {
  private static final String LAYOUT = "it must hold one subfolder of images per class";

  private final String option;
  private final String uri;
  private final Map<String, Integer> imagesPerClass;

  private LabeledFolder(String option, String uri, Map<String, Integer> imagesPerClass) {
    this.option = option;
    this.uri = uri;
    this.imagesPerClass = imagesPerClass;
  }

  /** Lists {@code uri}; a layout the evaluation cannot read classes from is a {@link BadInputException} naming {@code option}. */
  static LabeledFolder list(String option, String uri, Configuration hadoop) throws IOException {
    Path root = new Path(uri);
    FileSystem fs = root.getFileSystem(hadoop);
    FileStatus status;
    try {
      status = fs.getFileStatus(root);
    } catch (FileNotFoundException e) {
      throw new BadInputException(option + " " + uri + " does not exist");
    }
    String layout = LAYOUT + " (" + uri.replaceAll("/+$", "") + "/<class>/*.png)";
    if (!status.isDirectory()) {
      throw new BadInputException(option + " " + uri + " is a file: " + layout);
    }
    Map<String, Integer> classes = new TreeMap<>();
    int loose = 0;
    for (FileStatus e : fs.listStatus(root)) {
      String name = e.getPath().getName();
      if (CorpusFiles.isHidden(name)) {
        continue;
      }
      if (e.isDirectory()) {
        int images = images(fs, e.getPath());
        if (images == 0) {
          throw new BadInputException(option + " " + uri + ": class folder '" + name + "' holds no PNG or JPEG files; " + layout);
        }
        classes.put(name, images);
      } else if (CorpusFiles.isImage(name)) {
        loose++;
      }
    }
    if (loose > 0) {
      throw new BadInputException(option + " " + uri + " holds " + loose + " images outside class folders: " + layout);
    }
    return new LabeledFolder(option, uri, classes);
  }

  private static int images(FileSystem fs, Path dir) throws IOException {
    int n = 0;
    RemoteIterator<FileStatus> files = fs.listStatusIterator(dir);
    while (files.hasNext()) {
      FileStatus f = files.next();
      if (f.isFile() && !CorpusFiles.isHidden(f.getPath().getName()) && CorpusFiles.isImage(f.getPath().getName())) {
        n++;
      }
    }
    return n;
  }

  Set<String> classes() {
    return imagesPerClass.keySet();
  }

  /** Refuses this folder as the query set when it has no class to score. */
  void checkQueries() {
    if (imagesPerClass.isEmpty()) {
      throw new BadInputException(option + " " + uri + " has 0 class folders: " + LAYOUT);
    }
  }

  /** Refuses this folder as the bank of {@code protocols}: k-NN and the probe need two classes, the probe enough images. */
  void checkBank(Set<Protocol> protocols) {
    int classes = imagesPerClass.size();
    if (protocols.contains(Protocol.KNN) && classes < 2) {
      throw new BadInputException(option + " " + uri + " has " + classes + " class folder" + (classes == 1 ? "" : "s")
          + ", k-NN needs at least 2: " + LAYOUT);
    }
    if (protocols.contains(Protocol.LINEAR)) {
      String problem = LinearProbe.problem(imagesPerClass.values().stream().mapToInt(Integer::intValue).sum(), classes);
      if (problem != null) {
        throw new BadInputException(option + " " + uri + ": " + problem);
      }
    }
  }
}
