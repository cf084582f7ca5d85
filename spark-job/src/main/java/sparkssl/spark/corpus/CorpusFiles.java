package sparkssl.spark.corpus;

import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RemoteIterator;

/** The files a corpus path names: a file, a folder (recursively) or a glob, hidden names left out as Spark leaves them out. */
public final class CorpusFiles {
  /** Which files are images, matched against the lower-cased name: .png, .jpg, .jpeg in any case. */
  public static final String IMAGE_SUFFIX = "\\.(png|jpe?g)$";
  private static final Pattern IMAGE = Pattern.compile(IMAGE_SUFFIX);

  private CorpusFiles() {}

  /**
   * Calls {@code visitor} with every file {@code root} names, folders walked breadth-first, until it
   * returns false. A walk of plain listings: listFiles(recursive) also fetches every file's block
   * locations, which on the local file system costs ~6 ms a file (60,000 files: 2 s walked, 6
   * minutes listed).
   */
  public static void forEach(FileSystem fs, Path root, Predicate<FileStatus> visitor) throws IOException {
    ArrayDeque<Path> dirs = new ArrayDeque<>();
    FileStatus[] matched = isGlob(root.toString()) ? fs.globStatus(root) : new FileStatus[] {fs.getFileStatus(root)};
    for (FileStatus f : matched == null ? new FileStatus[0] : matched) {
      if (f.isDirectory()) {
        dirs.add(f.getPath());
      } else if (!visitor.test(f)) {
        return;
      }
    }
    while (!dirs.isEmpty()) {
      RemoteIterator<FileStatus> entries = fs.listStatusIterator(dirs.poll());
      while (entries.hasNext()) {
        FileStatus f = entries.next();
        if (isHidden(f.getPath().getName())) {
          continue;
        }
        if (f.isDirectory()) {
          dirs.add(f.getPath());
        } else if (!visitor.test(f)) {
          return;
        }
      }
    }
  }

  /** The files below {@code root} whose names end in {@code suffix} (lower case), sorted by path. */
  static List<FileStatus> withSuffix(Configuration hadoop, String root, String suffix) throws IOException {
    Path p = new Path(root);
    List<FileStatus> files = new ArrayList<>();
    forEach(p.getFileSystem(hadoop), p, f -> {
      if (f.getPath().getName().toLowerCase(Locale.ROOT).endsWith(suffix)) {
        files.add(f);
      }
      return true;
    });
    files.sort(null);
    return files;
  }

  /** Whether a path holds glob characters, which Hadoop expands. */
  public static boolean isGlob(String path) {
    return path.matches(".*[*?\\[{].*");
  }

  /** Whether Spark's file listing leaves a file or folder of this name out. */
  public static boolean isHidden(String name) {
    return name.startsWith(".") || (name.startsWith("_") && !name.contains("="));
  }

  public static boolean isImage(String name) {
    return IMAGE.matcher(name.toLowerCase(Locale.ROOT)).find();
  }
}
