package sparkssl.model.backbones;

import java.io.Serializable;

/**
 * What a backbone may be shaped by: the small CNN's three conv widths and its batch-norm switch (the
 * ResNets have fixed widths and always use batch norm).
 */
public record BackboneOptions(int[] convWidths, boolean batchNorm) implements Serializable {}
