/**
 * Hadoop storage as the driver sees it before any Spark work: every input and output path probed
 * with bounded retries, so a dead endpoint or rejected credentials fail in seconds with a message
 * that says which; and credentials (of storage and of Spark itself) kept out of everything the job
 * writes, logs or prints.
 */
package sparkssl.spark.storage;
