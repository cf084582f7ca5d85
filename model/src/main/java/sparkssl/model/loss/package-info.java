/**
 * One file per self-supervised loss, each a plain function of the two views' projections written
 * with the paper's names, plus {@link sparkssl.model.loss.SslLossLayer}, the output layer that feeds them.
 */
package sparkssl.model.loss;
