package sparkssl.model.eval;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.eigen.Eigen;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * Signs of representation collapse in a set of vectors {@code [M, D]}:
 * <ul>
 *   <li>{@code relativeStd}: the mean over dimensions of the standard deviation of the L2-normalised
 *       vectors, times sqrt(D) (SimSiam's collapse measure, Chen and He 2021, fig. 2): about 1 when the
 *       vectors spread over the sphere, 0 when they all point the same way;</li>
 *   <li>{@code rankMe}: RankMe (Garrido et al. 2023), {@code exp(-sum p_k log p_k)} with
 *       {@code p_k = sigma_k / sum sigma + 1e-7} over the singular values of the vectors: an effective
 *       rank between 1 (collapsed to a line) and min(M, D).</li>
 * </ul>
 */
public record CollapseMetrics(double relativeStd, double rankMe) {
  private static final double EPS = 1e-7;

  public static CollapseMetrics of(INDArray vectors) {
    INDArray x = vectors.castTo(DataType.DOUBLE);
    long d = x.size(1);
    INDArray unit = x.divColumnVector(x.norm2(1).reshape(x.size(0), 1).addi(1e-12));
    double std = unit.std(false, 0).meanNumber().doubleValue() * Math.sqrt(d);
    return new CollapseMetrics(std, rankMe(x));
  }

  /** Singular values as square roots of the eigenvalues of the Gram matrix (D x D, symmetric). */
  static double rankMe(INDArray x) {
    INDArray gram = x.transpose().mmul(x);
    INDArray eigen = Eigen.symmetricGeneralizedEigenvalues(gram, false);
    INDArray sigma = Transforms.sqrt(Transforms.relu(eigen.reshape(eigen.length())), true);
    double total = sigma.sumNumber().doubleValue();
    if (total == 0) {
      return 1;
    }
    INDArray p = sigma.div(total).addi(EPS);
    return Math.exp(-p.mul(Transforms.log(p, true)).sumNumber().doubleValue());
  }
}
