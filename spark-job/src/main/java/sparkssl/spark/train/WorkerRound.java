package sparkssl.spark.train;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.api.java.function.Function2;
import org.apache.spark.broadcast.Broadcast;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.spark.api.TrainingHook;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import sparkssl.model.SslHead;
import sparkssl.model.momentum.Teacher;
import sparkssl.model.momentum.TeacherSettings;

/**
 * Executor side of one averaging round for one worker: move the thread to the task's GPU (if Spark
 * assigned one; on the CPU, the task's threads), load the round's model into a kept-alive network, set its iteration count to the
 * global step (so schedules continue where the last round stopped), fit one step per minibatch of the
 * partition, and return the result. With a teacher, each step's labels get the teacher's targets
 * appended, and the teacher follows the student after the step.
 */
final class WorkerRound implements Function2<Integer, Iterator<DataSet>, Iterator<RoundResult>> {
  private static final long serialVersionUID = 1L;

  private final String run;
  private final Broadcast<ComputationGraphConfiguration> conf;
  private final Broadcast<RoundState> state;
  private final TeacherSettings teacherSettings;
  private final List<TrainingHook> hooks;

  WorkerRound(String run, Broadcast<ComputationGraphConfiguration> conf, Broadcast<RoundState> state,
      TeacherSettings teacherSettings, List<TrainingHook> hooks) {
    this.run = run;
    this.conf = conf;
    this.state = state;
    this.teacherSettings = teacherSettings;
    this.hooks = hooks;
  }

  @Override
  public Iterator<RoundResult> call(Integer worker, Iterator<DataSet> batches) {
    long started = System.nanoTime();
    RoundState s = state.value();
    int device = TaskDevice.bind();
    WorkerNetworks.Pair pair = WorkerNetworks.borrow(run, device, conf.value(), teacherSettings);
    ComputationGraph net = pair.student();
    Teacher teacher = pair.teacher();
    try {
      net.params().assign(s.params().array());
      if (teacher != null) {
        teacher.load(s.teacherState().array());
      }
      if (s.updaterState() != null) {
        net.getUpdater().getStateViewArray().assign(s.updaterState().array());
      }
      net.getConfiguration().setIterationCount(s.globalStep());
      net.getConfiguration().setEpochCount(s.epoch());
      int steps = 0;
      long images = 0;
      double loss = 0;
      int minBatch = Integer.MAX_VALUE;
      int maxBatch = 0;
      double fit = 0;
      double data = 0;
      List<Double> rates = new ArrayList<>();
      List<Double> momenta = new ArrayList<>();
      long t = System.nanoTime();
      double setup = (t - started) / 1e9;
      while (batches.hasNext()) {
        DataSet batch = batches.next();
        long t1 = System.nanoTime();
        data += (t1 - t) / 1e9;
        rates.add(net.getLearningRate(SslHead.PROJECTION));
        if (teacher != null) {
          batch.setLabels(Nd4j.hstack(batch.getLabels(), teacher.targets(batch.getFeatures())));
        }
        hooks.forEach(h -> h.preUpdate(batch, net));
        long step = net.getIterationCount();
        net.fit(batch);
        if (teacher != null) {
          momenta.add(teacher.follow(net, step));
        }
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
      return List.of(new RoundResult(PackedArray.of(net.params().dup()),
          s.updaterState() == null ? null : PackedArray.of(net.getUpdater().getStateViewArray().dup()),
          teacher == null ? null : PackedArray.of(teacher.state()), steps, images, loss,
          steps == 0 ? 0 : minBatch, maxBatch, setup, fit, data,
          rates.stream().mapToDouble(Double::doubleValue).toArray(),
          momenta.stream().mapToDouble(Double::doubleValue).toArray())).iterator();
    } finally {
      WorkerNetworks.giveBack(run, device, pair);
    }
  }
}
