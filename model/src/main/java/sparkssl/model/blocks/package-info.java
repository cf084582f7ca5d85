/**
 * Convolution blocks (conv-BN(-ReLU), or conv(+bias)-ReLU) and the two sets of layers a network builds
 * them from: one fused oneDNN layer each, which runs on the CPU backend only, or DL4J's own layers,
 * which run on any backend. {@link sparkssl.model.blocks.ConvLayers} says which a JVM builds, and
 * {@link sparkssl.model.blocks.ConvLayerConversion} moves a network from one to the other, so that a
 * model trained on CPUs runs on GPUs and back.
 */
package sparkssl.model.blocks;
