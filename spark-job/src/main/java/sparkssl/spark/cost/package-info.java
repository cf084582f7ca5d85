/**
 * What a synchronous parameter-averaging round costs: a model of its wall time from the bytes each
 * worker's state takes (parameters, updater state, teacher), the workers, the steps per round, a
 * step's time and the network, with constants measured on the machine that runs it; and the
 * averaging frequency it implies.
 */
package sparkssl.spark.cost;
