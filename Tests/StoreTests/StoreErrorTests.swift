import XCTest
@testable import Store

final class StoreErrorTests: XCTestCase {
    func testMessagesNameTheFile() {
        XCTAssertEqual(StoreError.missingFile(path: "a/b.npy").description, "a/b.npy: no such file")
    }
}
