import Core
import Foundation
import XCTest

/// The leaf module's mechanisms (docs/architecture.md, "One home per mechanism").
final class CoreMechanismTests: XCTestCase {
    func testSplitMix64MatchesThePublishedStream() {
        // SplitMix64 with seed 0 (Steele, Lea, Flood 2014; also Vigna's splitmix64.c).
        var g = SplitMix64(seed: 0)
        XCTAssertEqual(g.next(), 0xE220_A839_7B1D_CDAF)
        XCTAssertEqual(g.next(), 0x6E78_9E6A_A1B9_65F4)
        XCTAssertEqual(g.next(), 0x06C4_5D18_8009_454F)
        // The two index draws are the documented ones: modulo, and Swift's unbiased one.
        var a = SplitMix64(seed: 9), b = SplitMix64(seed: 9)
        let raw = a.next()
        XCTAssertEqual(b.index(below: 7), Int(raw % 7))
        var c = SplitMix64(seed: 3), d = SplitMix64(seed: 3)
        XCTAssertEqual(c.unbiasedIndex(below: 1000), Int(d.next(upperBound: UInt64(1000))))
        var u = SplitMix64(seed: 5)
        for _ in 0..<1000 { let x = u.uniform(); XCTAssertTrue(x >= 0 && x < 1) }
    }

    func testParallelMapKeepsOrderAndReportsTheLowestFailingIndex() {
        XCTAssertEqual(try parallelMap(1000) { $0 * $0 }, (0..<1000).map { $0 * $0 })
        struct Boom: Error, Equatable { let i: Int }
        XCTAssertThrowsError(try parallelMap(500) { i -> Int in
            if i % 97 == 13 { throw Boom(i: i) }
            return i
        }) { XCTAssertEqual($0 as? Boom, Boom(i: 13)) }
        XCTAssertEqual(try parallelMap(0) { $0 }, [])
    }

    func testParallelForVisitsEveryItemAndRethrows() throws {
        let lock = NSLock()
        var seen = Set<Int>()
        try parallelFor(777, chunk: 10) { i in lock.withLock { _ = seen.insert(i) } }
        XCTAssertEqual(seen, Set(0..<777))
        XCTAssertThrowsError(try parallelFor(100) { i in if i == 50 { throw InputError(file: "x", "bad") } })
    }

    func testAtomicWritesLeaveNothingHalfWritten() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("core-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("a.txt").path
        try writeText("one\n", to: file)
        struct Stop: Error {}
        XCTAssertThrowsError(try writeAtomically(to: file) { tmp in
            try "half".write(toFile: tmp, atomically: false, encoding: .utf8)
            throw Stop()
        })
        XCTAssertEqual(try String(contentsOfFile: file, encoding: .utf8), "one\n", "the old file survives a failed write")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir.path), ["a.txt"], "no temporary left")

        let folder = dir.appendingPathComponent("out")
        try writeDirectoryAtomically(to: folder) { tmp in try writeText("x", to: tmp.appendingPathComponent("f").path) }
        XCTAssertThrowsError(try writeDirectoryAtomically(to: folder) { tmp in
            try writeText("y", to: tmp.appendingPathComponent("g").path)
            throw Stop()
        })
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: folder.path), ["f"], "the published folder is untouched")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted(), ["a.txt", "out"])
        XCTAssertThrowsError(try writeText("z", to: dir.appendingPathComponent("missing/b.txt").path)) {
            XCTAssertTrue("\($0)".contains("does not exist"), "\($0)")
        }
    }

    func testTextLinesNumbersTrimsAndRejectsBadUTF8() throws {
        let lines = try textLines(Data(" a b \r\n\n\tc\r\n".utf8), file: "f")
        XCTAssertEqual(lines.map(\.number), [1, 3])
        XCTAssertEqual(lines.map { String($0.text) }, ["a b", "c"])
        XCTAssertThrowsError(try textLines(Data([0x61, 0x0A, 0xFF, 0xFE]), file: "f")) {
            XCTAssertEqual("\($0)", "f:2: not UTF-8 text")
        }
    }
}
