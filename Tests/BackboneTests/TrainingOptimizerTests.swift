import XCTest
@testable import Backbone
import Core
@testable import Checkpoint
@testable import Training

/// Hand-calculated values for the parts of training that are not gradients: SGD's update
/// rule, BatchNorm1d's running statistics and the seeded generator.
final class TrainingOptimizerTests: XCTestCase {
    func testSGDMatchesTorchUpdateRuleByHand() {
        // lr 0.1, momentum 0.9, wd 0.01, p = 2, grads 1 then 3:
        // step 1: d = 1 + 0.02 = 1.02, buf = 1.02, p = 2 - 0.102 = 1.898
        // step 2: d = 3 + 0.01898 = 3.01898, buf = 0.918 + 3.01898 = 3.93698, p = 1.898 - 0.393698
        var sgd = SGD(learningRate: 0.1, momentum: 0.9, weightDecay: 0.01)
        var p: [Double] = [2]
        sgd.step("p", &p, [1])
        XCTAssertEqual(p[0], 1.898, accuracy: 1e-12)
        sgd.step("p", &p, [3])
        XCTAssertEqual(p[0], 1.898 - 0.393698, accuracy: 1e-12)
    }

    func testBatchNormRunningStatisticsByHand() {
        // One channel, batch [1, 2, 3, 6]: mean 3, biased var 3.5, unbiased 14/3.
        var bn = BatchNormLayer<Double>(channels: 1, affine: false)
        let (y, _) = bn.forwardTraining([1, 2, 3, 6], rows: 4)
        XCTAssertEqual(y[0], -2 / (3.5 + 1e-5).squareRoot(), accuracy: 1e-12)
        XCTAssertEqual(bn.runningMean[0], 0.9 * 0 + 0.1 * 3, accuracy: 1e-12)
        XCTAssertEqual(bn.runningVar[0], 0.9 * 1 + 0.1 * 14 / 3, accuracy: 1e-12)
        XCTAssertEqual(bn.batchesTracked, 1)
        XCTAssertEqual(bn.forwardEval([3.3], rows: 1)[0], (3.3 - 0.3) / (0.9 + 1.4 / 3 + 1e-5).squareRoot(), accuracy: 1e-12)
    }

    func testSplitMix64KnownValues() {
        // Reference values of SplitMix64 seeded with 0 (Vigna's splitmix64.c).
        var r = SplitMix64(seed: 0)
        XCTAssertEqual(r.next(), 0xE220_A839_7B1D_CDAF)
        XCTAssertEqual(r.next(), 0x6E78_9E6A_A1B9_65F4)
        var a = Array(0..<10), b = a
        var r1 = SplitMix64(seed: 7), r2 = SplitMix64(seed: 7)
        r1.shuffle(&a); r2.shuffle(&b)
        XCTAssertEqual(a, b)
        XCTAssertEqual(a.sorted(), Array(0..<10))
    }
}
