/**
 * Parameter averaging on Spark as a dl4j-spark {@code TrainingMaster} of the project's own: one Spark
 * job per averaging round over exactly that round's planned partitions, worker networks kept alive
 * between rounds, the global step carried across rounds so learning-rate schedules do not restart,
 * and per-round accounting of steps, batch sizes, loss and worker time.
 */
package sparkssl.spark.train;
