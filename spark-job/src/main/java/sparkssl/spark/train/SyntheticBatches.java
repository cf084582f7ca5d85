package sparkssl.spark.train;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

/** A probe round's data, made on the worker: {@code steps} batches of uniform noise of the real shape. */
final class SyntheticBatches implements FlatMapFunction<Iterator<Integer>, DataSet> {
  private static final long serialVersionUID = 1L;
  private final long[] featureShape;
  private final int steps;

  SyntheticBatches(long[] featureShape, int steps) {
    this.featureShape = featureShape.clone();
    this.steps = steps;
  }

  @Override
  public Iterator<DataSet> call(Iterator<Integer> worker) {
    List<DataSet> batches = new ArrayList<>();
    if (worker.hasNext()) {
      for (int i = 0; i < steps; i++) {
        batches.add(new DataSet(Nd4j.rand(DataType.FLOAT, featureShape), Nd4j.zeros(DataType.FLOAT, featureShape[0], 1)));
      }
    }
    return batches.iterator();
  }
}
