/**
 * The self-supervised methods and their registry ({@link sparkssl.model.method.Methods}): each method
 * says which loss, heads and teacher it needs and which views it can use; the network builder and the
 * training loop ask it. Adding a method: its class here, its loss in {@code sparkssl.model.loss}, one
 * registry line.
 */
package sparkssl.model.method;
