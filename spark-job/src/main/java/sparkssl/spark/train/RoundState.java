package sparkssl.spark.train;

import java.io.Serializable;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * What the driver sends every worker at the start of a round: the averaged model, the averaged
 * teacher state (null without a teacher), and where training is.
 */
record RoundState(INDArray params, INDArray updaterState, INDArray teacherState, int globalStep, int epoch)
    implements Serializable {}
