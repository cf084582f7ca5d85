package sparkssl.model.eval;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Weighted k-NN on L2-normalised embeddings (Wu et al. 2018; DINO's and solo-learn's evaluation): the
 * k most cosine-similar bank entries vote for their class with weight {@code exp(sim / T)}.
 */
public final class WeightedKnn {
  private static final int QUERY_CHUNK = 512;

  private final INDArray bank;
  private final int[] bankLabels;
  private final int numClasses;
  private final int k;
  private final double temperature;

  /**
   * @param bank {@code [M, D]} embeddings of the labeled reference set (normalised here)
   */
  public WeightedKnn(INDArray bank, int[] bankLabels, int numClasses, int k, double temperature) {
    if (bank.rows() != bankLabels.length) {
      throw new IllegalArgumentException("bank has " + bank.rows() + " rows but " + bankLabels.length + " labels");
    }
    if (k < 1 || !(temperature > 0)) {
      throw new IllegalArgumentException("k must be >= 1 and temperature > 0");
    }
    this.bank = normalise(bank);
    this.bankLabels = bankLabels;
    this.numClasses = numClasses;
    this.k = Math.min(k, bankLabels.length);
    this.temperature = temperature;
  }

  public int[] predict(INDArray queries) {
    INDArray q = normalise(queries);
    int[] out = new int[q.rows()];
    for (int start = 0; start < q.rows(); start += QUERY_CHUNK) {
      int end = Math.min(q.rows(), start + QUERY_CHUNK);
      float[][] sims = q.get(NDArrayIndex.interval(start, end), NDArrayIndex.all()).mmul(bank.transpose()).toFloatMatrix();
      for (int r = 0; r < sims.length; r++) {
        out[start + r] = vote(sims[r]);
      }
    }
    return out;
  }

  /** Fraction of queries whose predicted class equals their label. */
  public double top1(INDArray queries, int[] labels) {
    int[] predicted = predict(queries);
    int correct = 0;
    for (int i = 0; i < predicted.length; i++) {
      if (predicted[i] == labels[i]) {
        correct++;
      }
    }
    return predicted.length == 0 ? Double.NaN : (double) correct / predicted.length;
  }

  int vote(float[] sims) {
    int[] top = topK(sims, k);
    double[] score = new double[numClasses];
    for (int idx : top) {
      score[bankLabels[idx]] += Math.exp(sims[idx] / temperature);
    }
    int best = 0;
    for (int c = 1; c < numClasses; c++) {
      if (score[c] > score[best]) {
        best = c;
      }
    }
    return best;
  }

  /** Indices of the k largest values; a small insertion-sorted buffer beats a full sort for k << M. */
  static int[] topK(float[] v, int k) {
    int[] idx = new int[k];
    float[] val = new float[k];
    int filled = 0;
    for (int i = 0; i < v.length; i++) {
      float x = v[i];
      if (filled == k && x <= val[k - 1]) {
        continue;
      }
      int pos = filled < k ? filled++ : k - 1;
      while (pos > 0 && val[pos - 1] < x) {
        val[pos] = val[pos - 1];
        idx[pos] = idx[pos - 1];
        pos--;
      }
      val[pos] = x;
      idx[pos] = i;
    }
    return idx;
  }

  private static INDArray normalise(INDArray x) {
    INDArray f = x.castTo(DataType.FLOAT);
    INDArray norms = f.norm2(1).reshape(f.rows(), 1).addi(1e-12);
    return f.divColumnVector(norms);
  }
}
