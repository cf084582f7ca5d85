package sparkssl.spark.ml;

/** A file given as a model that is not one this project wrote: bad input, found before any Spark job. */
public final class NotAModelException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  NotAModelException(String path, String why) {
    super(path + " is not a spark-ssl model: " + why + " (a model is the model.zip, or a checkpoints/epoch-NNNN-XXXXXXXX.zip, of a train run)");
  }
}
