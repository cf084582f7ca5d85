package sparkssl.model.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.factory.Nd4j;

class WeightedKnnTest {

  /**
   * Bank on the unit circle: class 0 at 0 and 10 degrees, class 1 at 30, 35 and 40 degrees.
   * A query at 20 degrees, k=5, T=0.07. Cosines: class 0: cos20=0.9397, cos10=0.9848;
   * class 1: cos10=0.9848, cos15=0.9659, cos20=0.9397. Weighted: class 0 = e^(0.9397/.07)+e^(0.9848/.07)
   * = 6.61e5 + 1.29e6 = 1.95e6; class 1 adds e^(0.9659/.07)=9.78e5 on top, 2.93e6: class 1.
   * With k=2 only 10 and 30 degrees vote (both cos10): a tie, broken to the lower class, 0.
   * With T=0.01 and k=5, the two nearest dominate equally again and class 1's third vote decides.
   */
  @Test
  void handCheckedVotes() {
    float[][] bank = {point(0), point(10), point(30), point(35), point(40)};
    int[] labels = {0, 0, 1, 1, 1};
    float[][] query = {point(20)};
    assertArrayEquals(new int[] {1}, new WeightedKnn(Nd4j.create(bank), labels, 2, 5, 0.07).predict(Nd4j.create(query)));
    assertArrayEquals(new int[] {0}, new WeightedKnn(Nd4j.create(bank), labels, 2, 1, 0.07).predict(Nd4j.create(new float[][] {point(4)})));
    assertArrayEquals(new int[] {1}, new WeightedKnn(Nd4j.create(bank), labels, 2, 1, 0.07).predict(Nd4j.create(new float[][] {point(36)})));
  }

  @Test
  void weightsMatterNotJustCounts() {
    // k=3: one very close class-0 neighbour against two far class-1 ones. Unweighted majority says 1;
    // with T=0.07 exp(1/.07)=1.6e6 beats 2*exp(0.5/.07)=2.5e3.
    float[][] bank = {point(0), point(60), point(-60)};
    int[] labels = {0, 1, 1};
    WeightedKnn knn = new WeightedKnn(Nd4j.create(bank), labels, 2, 3, 0.07);
    assertArrayEquals(new int[] {0}, knn.predict(Nd4j.create(new float[][] {point(0)})));
    // with a huge temperature the weights flatten to ~1 each and the majority wins
    WeightedKnn flat = new WeightedKnn(Nd4j.create(bank), labels, 2, 3, 1000);
    assertArrayEquals(new int[] {1}, flat.predict(Nd4j.create(new float[][] {point(0)})));
  }

  @Test
  void embeddingsAreNormalisedBeforeVoting() {
    float[][] bank = {{10, 0}, {0, 0.1f}};
    WeightedKnn knn = new WeightedKnn(Nd4j.create(bank), new int[] {0, 1}, 2, 1, 0.07);
    // direction, not length, decides: (0.01, 5) points at class 1 although (10,0) is longer
    assertArrayEquals(new int[] {1}, knn.predict(Nd4j.create(new float[][] {{0.01f, 5}})));
    assertEquals(1.0, knn.top1(Nd4j.create(new float[][] {{3, 0}, {0, 3}}), new int[] {0, 1}), 0);
  }

  @Test
  void topKReturnsLargestInOrder() {
    assertArrayEquals(new int[] {3, 1, 4}, WeightedKnn.topK(new float[] {0.1f, 0.8f, -1f, 0.9f, 0.5f, 0.2f}, 3));
  }

  private static float[] point(double degrees) {
    double r = Math.toRadians(degrees);
    return new float[] {(float) Math.cos(r), (float) Math.sin(r)};
  }
}
