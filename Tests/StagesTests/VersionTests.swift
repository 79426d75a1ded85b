import XCTest
@testable import Stages

final class VersionTests: XCTestCase {
    func testVersionIsSemantic() {
        XCTAssertEqual(scalefaceVersion.split(separator: ".").count, 3)
    }
}
