/**
 * The training data path: each epoch a seeded shuffle of the corpus into exact worker batches, so a
 * batch is a uniform random sample of the corpus whatever the file sizes, folders, partition layout
 * or number of executors; views are made on the worker that trains on them.
 */
package sparkssl.spark.data;
