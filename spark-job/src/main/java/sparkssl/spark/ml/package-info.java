/**
 * Spark ML front end of a trained encoder: {@link sparkssl.spark.ml.EncoderModel}, a transformer
 * that adds an embedding column to any DataFrame of image bytes, and the model file it reads
 * ({@link sparkssl.spark.ml.TrainedEncoder}: DL4J's zip plus the description of the encoder's input).
 */
package sparkssl.spark.ml;
