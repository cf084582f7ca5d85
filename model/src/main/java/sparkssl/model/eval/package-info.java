/** Evaluation of frozen encoders: weighted k-NN classification on L2-normalised embeddings. */
package sparkssl.model.eval;
