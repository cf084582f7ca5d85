/**
 * Evaluation of an encoder on Spark: weighted k-NN top-1 and a linear probe (Spark MLlib's logistic
 * regression) on a labeled bank and query set, with the features computed once on the executors (the
 * embeddings by the Spark ML transformer, or the raw pixels as a baseline).
 */
package sparkssl.spark.eval;
