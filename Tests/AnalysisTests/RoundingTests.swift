import XCTest
@testable import Analysis

final class RoundingTests: XCTestCase {
    func testRoundHalfToEvenMatchesNumpy() {
        // numpy: np.round([0.5, 1.5, 2.5, 3.5, 2.4999]) == [0, 2, 2, 4, 2]
        XCTAssertEqual([0.5, 1.5, 2.5, 3.5, 2.4999].map(roundHalfToEven), [0, 2, 2, 4, 2])
    }
}
