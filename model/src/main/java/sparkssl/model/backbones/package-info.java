/**
 * Encoder bodies of the SSL network, one class per family, chosen by name in {@link
 * sparkssl.model.backbones.Backbones}: each adds its layers to a graph and ends in a feature map, to which
 * the network adds global average pooling (the embedding) and the method's heads.
 */
package sparkssl.model.backbones;
