package sparkssl.model.backbones;

import java.io.Serializable;

/**
 * What a backbone may be shaped by: the small CNN's three conv widths and its batch-norm switch (the
 * ResNets have fixed widths and always use batch norm), and whether conv-BN-ReLU runs as one fused
 * oneDNN layer ({@link sparkssl.model.onednn.FusedLayers}) or as DL4J's three layers.
 */
public record BackboneOptions(int[] convWidths, boolean batchNorm, boolean fused) implements Serializable {}
