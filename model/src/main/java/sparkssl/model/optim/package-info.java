/**
 * Optimisers and learning-rate schedules of the Cookbook's recipes, as DL4J updaters,
 * regularizations and schedules: Adam, AdamW, SGD with momentum, LARS; constant or linear warmup
 * then cosine. Schedules run on the network's iteration count, which the training loop keeps equal
 * to the global step.
 */
package sparkssl.model.optim;
