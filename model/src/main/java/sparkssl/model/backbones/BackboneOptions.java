package sparkssl.model.backbones;

import java.io.Serializable;
import sparkssl.model.blocks.ConvLayers;

/**
 * What a backbone may be shaped by: the small CNN's three conv widths and its batch-norm switch (the
 * ResNets have fixed widths and always use batch norm), and which layers its convolution blocks are
 * built from ({@link ConvLayers}).
 */
public record BackboneOptions(int[] convWidths, boolean batchNorm, ConvLayers layers) implements Serializable {}
