package sparkssl.spark.cost;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class RoundCostModelTest {
  // L 0.1 s, sigma 100 MB/s, alpha 1 GB/s
  private final RoundCostModel model = new RoundCostModel(0.1, 1e8, 1e9);

  @Test
  void localModeByHand() {
    // 1 MB of state, 2 workers in the driver's JVM: serialisation (1 broadcast write + 1 result write
    // + 2 result reads) 4 x 0.01 s; averaging 3 MB of adds 0.003 s; no network
    RoundTime t = model.predict(new RoundSetting(2, 1_000_000, 0.5, Double.POSITIVE_INFINITY, true), 3);
    assertEquals(0.1, t.latency(), 1e-12);
    assertEquals(0.04, t.serialization(), 1e-12);
    assertEquals(0.0, t.transfer(), 1e-12);
    assertEquals(0.003, t.averaging(), 1e-12);
    assertEquals(1.5, t.compute(), 1e-12);
    assertEquals(1.643, t.total(), 1e-12);
    assertEquals(0.143 / 1.643, t.communicationShare(), 1e-12);
  }

  @Test
  void clusterByHand() {
    // 3 workers on a 10 MB/s link: broadcast 1 MB x log2(4) = 2 MB, results 3 MB: 0.5 s on the network;
    // serialisation: broadcast written and read, result written, 3 results read = 6 x 0.01 s
    RoundTime t = model.predict(new RoundSetting(3, 1_000_000, 0.5, 1e7, false), 1);
    assertEquals(0.5, t.transfer(), 1e-12);
    assertEquals(0.06, t.serialization(), 1e-12);
    assertEquals(0.004, t.averaging(), 1e-12);
  }

  @Test
  void resultsIntoTheDriverGrowWithTheCluster() {
    RoundSetting eight = new RoundSetting(8, 100_000_000, 1, 1.25e9, false);
    double o8 = model.predict(eight, 1).overhead();
    double o64 = model.predict(eight.withWorkers(64), 1).overhead();
    assertTrue(o64 > 6 * o8, o8 + " -> " + o64);
  }

  @Test
  void aTreeSumGathersSqrtWStatesTwiceInsteadOfW() {
    // 16 workers on a 10 MB/s link: f = 4 states into each group task, g = 4 sums into the driver;
    // transfer (1 MB x log2(17) + 8 MB) / 10 MB/s; serialisation: broadcast written and read, each
    // result written, 4 read by a group, its sum written, 4 sums read = (3 + 4 + 1 + 4) x 0.01 s
    RoundSetting driver = new RoundSetting(16, 1_000_000, 0.5, 1e7, false);
    RoundTime t = model.predict(driver.withAggregation(sparkssl.spark.train.Aggregation.TREE), 1);
    assertEquals((Math.log(17) / Math.log(2) + 8) / 10, t.transfer(), 1e-12);
    assertEquals(0.12, t.serialization(), 1e-12);
    assertEquals(0.009, t.averaging(), 1e-12);
    RoundTime d = model.predict(driver, 1);
    assertEquals((Math.log(17) / Math.log(2) + 16) / 10, d.transfer(), 1e-12);
    assertEquals(0.19, d.serialization(), 1e-12);
    // at 64 workers the tree gathers 8 + 8 states where the driver gathers 64
    RoundSetting big = driver.withWorkers(64);
    assertTrue(model.predict(big.withAggregation(sparkssl.spark.train.Aggregation.TREE), 1).overhead()
        < model.predict(big, 1).overhead() / 3);
  }

  @Test
  void autoPicksTheFewestStepsUnderTheShare() {
    RoundSetting r = new RoundSetting(2, 1_000_000, 0.05, Double.POSITIVE_INFINITY, true);
    int k = model.smallestFrequency(r, 0.10, 1000);
    // overhead 0.143 s: 9 x 0.143 / 0.05 = 25.7 steps, so 26
    assertEquals(26, k);
    assertTrue(model.predict(r, k).communicationShare() <= 0.10);
    assertTrue(model.predict(r, k - 1).communicationShare() > 0.10);
    assertEquals(10, model.smallestFrequency(r, 0.10, 10), "no more than a worker's steps in an epoch");
    assertEquals(1, model.smallestFrequency(r, 0.95, 1000));
  }

  @Test
  void calibrationReproducesTheMeasuredOverhead() {
    RoundSetting r = new RoundSetting(2, 1_000_000, 0.05, Double.POSITIVE_INFINITY, true);
    RoundCostModel calibrated = model.withOverhead(r, 0.5);
    assertEquals(0.5, calibrated.predict(r, 7).overhead(), 1e-12);
    assertEquals(0.457, calibrated.latencySeconds(), 1e-12);
    assertEquals(0.0, model.withOverhead(r, 0.01).latencySeconds(), "latency is never negative");
  }

  @Test
  void refusesNonsense() {
    assertThrows(IllegalArgumentException.class, () -> new RoundSetting(0, 1, 1, 1, true));
    assertThrows(IllegalArgumentException.class, () -> new RoundSetting(1, 1, Double.NaN, 1, true));
    assertThrows(IllegalArgumentException.class, () -> new RoundCostModel(-1, 1, 1));
  }
}
