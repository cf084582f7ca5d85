/**
 * The self-supervised model in DL4J: encoder + projector networks whose input is one image's views
 * stacked on the channel axis, and their save/load and embedding helpers. Knows nothing of Spark.
 */
package sparkssl.model;
