/**
 * What the driver does with a round's averaged parameters: take them as they are (plain parameter
 * averaging), or treat the round's averaged change as an outer gradient and step with momentum on it
 * (SlowMo, Wang et al. 2020; DiLoCo, Douillard et al. 2023). One class per variant behind
 * {@link sparkssl.spark.outer.OuterOptimizer}; {@link sparkssl.spark.outer.OuterOptions} builds them.
 */
package sparkssl.spark.outer;
