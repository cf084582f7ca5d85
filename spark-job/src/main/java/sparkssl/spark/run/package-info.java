/**
 * What a person watching a run sees: the run report ({@code report.html}, one self-contained page of
 * plots, configuration and skipped files, rewritten after every epoch from the same records as
 * {@code metrics.jsonl}), progress within an epoch with ETAs, and Spark job groups and descriptions
 * that name the epoch and phase in the Spark UI.
 */
package sparkssl.spark.run;
