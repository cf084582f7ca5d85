/**
 * Evaluation of an encoder on Spark: weighted k-NN top-1 on a labeled bank and query set, with the
 * embeddings computed on the executors by the Spark ML transformer.
 */
package sparkssl.spark.eval;
