/**
 * The pretraining application: command line, corpus reading, the epoch loop on Spark with DL4J's
 * parameter averaging, checkpoints and metrics in a run directory on any Hadoop path, and k-NN
 * evaluation of the encoder against the same encoder at random initialisation.
 */
package sparkssl.job;
