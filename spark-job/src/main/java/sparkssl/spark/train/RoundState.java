package sparkssl.spark.train;

import java.io.Serializable;

/**
 * What the driver sends every worker at the start of a round: the averaged model, the averaged
 * teacher state (null without a teacher), and where training is; arrays packed for a fast broadcast.
 */
record RoundState(PackedArray params, PackedArray updaterState, PackedArray teacherState, int globalStep, int epoch)
    implements Serializable {}
