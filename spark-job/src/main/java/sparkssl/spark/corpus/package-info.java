/**
 * Where a corpus's images come from: image folders, Parquet tables of image bytes, or WebDataset tar
 * shards ({@link sparkssl.spark.corpus.CorpusLayout}, one class per layout, {@link
 * sparkssl.spark.corpus.CorpusFormat} detects which). Every layout reads into the same rows, so the
 * epoch plan, the views and the evaluation do not depend on how a corpus is stored.
 */
package sparkssl.spark.corpus;
