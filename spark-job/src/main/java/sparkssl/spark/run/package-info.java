/**
 * A run's outputs on any Hadoop path, and what a person watching the run sees. Files appear whole or
 * not at all; checkpoints are published through a manifest that names each complete checkpoint with
 * its length and SHA-256, and the newest intact one is found again on resume. The run report
 * ({@code report.html}, one self-contained page of plots, configuration and skipped files, rewritten
 * after every epoch from the same records as {@code metrics.jsonl}), progress within an epoch with
 * ETAs, and Spark job groups and descriptions that name the epoch and phase in the Spark UI.
 */
package sparkssl.spark.run;
