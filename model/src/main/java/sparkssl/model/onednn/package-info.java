/**
 * Layers that DL4J runs through oneDNN primitives of their own instead of a chain of ND4J ops: a
 * convolution, its batch norm (or bias) and ReLU as one layer, with the primitives, the blocked-format buffers
 * and the batch statistics kept between steps (JavaCPP's {@code dnnl} bindings, a second oneDNN
 * beside the one statically inside libnd4j, which exports none of its API). CPU and float32 only:
 * {@link sparkssl.model.blocks.ConvLayers} says when a network is built with them.
 */
package sparkssl.model.onednn;
