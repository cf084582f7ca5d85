/**
 * The training data path: each epoch a seeded shuffle of the corpus into exact worker batches, or a
 * seeded permutation of each worker's shard of a corpus dealt once by a seeded hash, so a batch is a
 * uniform random sample of the corpus (or of an IID shard of it) whatever the file sizes, folders,
 * partition layout or number of executors; views are made on the worker that trains on them.
 */
package sparkssl.spark.data;
