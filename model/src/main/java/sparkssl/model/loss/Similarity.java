package sparkssl.model.loss;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ops.impl.controlflow.compat.StopGradient;

/** Pieces the losses share: row-wise cosine similarity, stop-gradient, off-diagonal sums. */
final class Similarity {
  private Similarity() {}

  /** {@code [N, D] x [N, D] -> [N]}: cosine similarity of each row pair. */
  static SDVariable cosine(SDVariable a, SDVariable b) {
    return a.mul(b).sum(1).div(a.norm2(1).mul(b.norm2(1)));
  }

  /** The value of {@code x} as a constant of the backward pass (PyTorch's {@code detach()}). */
  static SDVariable stopGradient(SameDiff sd, SDVariable x) {
    return new StopGradient(sd, x).outputVariable();
  }

  /** Sum of the squared off-diagonal entries of a square matrix. */
  static SDVariable offDiagonalSquaredSum(SameDiff sd, SDVariable c) {
    SDVariable squares = c.mul(c);
    return squares.sum().sub(squares.mul(identityLike(sd, c)).sum());
  }

  /** The diagonal of a square matrix, {@code [D, D] -> [D]}. */
  static SDVariable diagonal(SameDiff sd, SDVariable c) {
    return c.mul(identityLike(sd, c)).sum(1);
  }

  /** {@code [N, D] -> [D, D]}: {@code x^T y / n}. */
  static SDVariable crossProduct(SameDiff sd, SDVariable x, SDVariable y, SDVariable n) {
    return sd.mmul(x, y, true, false, false).div(n);
  }

  /** Number of rows of {@code x} as a scalar of its type. */
  static SDVariable rows(SameDiff sd, SDVariable x) {
    return sd.sizeAt(x, 0).castTo(x.dataType());
  }

  private static SDVariable identityLike(SameDiff sd, SDVariable square) {
    SDVariable d = sd.sizeAt(square, 0).reshape(1);
    return sd.math.eye(d, d).castTo(square.dataType());
  }
}
