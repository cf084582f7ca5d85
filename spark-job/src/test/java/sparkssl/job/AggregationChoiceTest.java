package sparkssl.job;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;
import sparkssl.job.JobConfig.AggregationChoice;
import sparkssl.spark.train.Aggregation;

/** When {@code --aggregation auto} sums in a tree: where the states it spares the driver pay for its extra stage. */
class AggregationChoiceTest {
  private static final long SMALL_CNN = 1_412_000;
  private static final long RESNET18 = 134_000_000;

  @Test
  void autoSumsInATreeOnlyOnAClusterWhereTheSparedStatesAreLarge() {
    // W = 16: groups of 4, 4 sums; the driver gathers 8 states instead of 16: 7 spared of 1.4 MB is 10 MB
    assertEquals(Aggregation.DRIVER, AggregationChoice.auto.resolve(16, false, SMALL_CNN));
    // W = 64: 8 + 8 instead of 64, 47 spared: 66 MB
    assertEquals(Aggregation.TREE, AggregationChoice.auto.resolve(64, false, SMALL_CNN));
    // W = 8: 3 + 3 instead of 8, one spared ResNet-18 state
    assertEquals(Aggregation.TREE, AggregationChoice.auto.resolve(8, false, RESNET18));
    assertEquals(Aggregation.DRIVER, AggregationChoice.auto.resolve(4, false, RESNET18), "W = 4: 2 + 2, nothing spared");
    assertEquals(Aggregation.DRIVER, AggregationChoice.auto.resolve(64, true, RESNET18), "local mode crosses no link");
    assertEquals(Aggregation.TREE, AggregationChoice.tree.resolve(2, true, SMALL_CNN));
    assertEquals(Aggregation.DRIVER, AggregationChoice.driver.resolve(64, false, RESNET18));
  }
}
