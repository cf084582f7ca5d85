package sparkssl.spark.train;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.api.java.function.Function2;
import org.apache.spark.broadcast.Broadcast;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.spark.api.TrainingHook;
import org.nd4j.linalg.dataset.DataSet;

/**
 * Executor side of one averaging round for one worker: load the round's model into a kept-alive
 * network, set its iteration count to the global step (so schedules continue where the last round
 * stopped), fit one step per minibatch of the partition, and return the result.
 */
final class WorkerRound implements Function2<Integer, Iterator<DataSet>, Iterator<RoundResult>> {
  private static final long serialVersionUID = 1L;

  private final String run;
  private final Broadcast<MultiLayerConfiguration> conf;
  private final Broadcast<RoundState> state;
  private final List<TrainingHook> hooks;

  WorkerRound(String run, Broadcast<MultiLayerConfiguration> conf, Broadcast<RoundState> state, List<TrainingHook> hooks) {
    this.run = run;
    this.conf = conf;
    this.state = state;
    this.hooks = hooks;
  }

  @Override
  public Iterator<RoundResult> call(Integer worker, Iterator<DataSet> batches) {
    RoundState s = state.value();
    MultiLayerNetwork net = WorkerNetworks.borrow(run, conf.value());
    try {
      net.params().assign(s.params());
      if (s.updaterState() != null) {
        net.getUpdater().getStateViewArray().assign(s.updaterState());
      }
      net.setIterationCount(s.globalStep());
      net.setEpochCount(s.epoch());
      int steps = 0;
      long images = 0;
      double loss = 0;
      int minBatch = Integer.MAX_VALUE;
      int maxBatch = 0;
      double fit = 0;
      double data = 0;
      List<Double> rates = new ArrayList<>();
      long t = System.nanoTime();
      while (batches.hasNext()) {
        DataSet batch = batches.next();
        long t1 = System.nanoTime();
        data += (t1 - t) / 1e9;
        rates.add(net.getLearningRate(0));
        hooks.forEach(h -> h.preUpdate(batch, net));
        net.fit(batch);
        hooks.forEach(h -> h.postUpdate(batch, net));
        int n = batch.numExamples();
        loss += net.score() * n;
        images += n;
        steps++;
        minBatch = Math.min(minBatch, n);
        maxBatch = Math.max(maxBatch, n);
        t = System.nanoTime();
        fit += (t - t1) / 1e9;
      }
      return List.of(new RoundResult(net.params().dup(),
          s.updaterState() == null ? null : net.getUpdater().getStateViewArray().dup(), steps, images, loss,
          steps == 0 ? 0 : minBatch, maxBatch, fit, data,
          rates.stream().mapToDouble(Double::doubleValue).toArray())).iterator();
    } finally {
      WorkerNetworks.giveBack(run, net);
    }
  }
}
