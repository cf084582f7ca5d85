/**
 * One file per self-supervised loss, each a plain SameDiff function of the views' projections,
 * predictions and teacher targets ({@link sparkssl.model.loss.ViewOutputs}) written with the paper's
 * names and default weights, plus the pieces they share ({@code Similarity}).
 */
package sparkssl.model.loss;
