/**
 * The pretraining application: command line, corpus reading, the epoch loop on Spark with DL4J's
 * parameter averaging, checkpoints and metrics in a run directory on any Hadoop path, and evaluation
 * of the encoder (k-NN, linear probe) against the same encoder at random initialisation and the raw pixels.
 */
package sparkssl.job;
