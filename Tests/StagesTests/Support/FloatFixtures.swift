import Foundation
import XCTest

extension TestSupport {
    /// A fixture of little-endian float32 values (the `.f32` files of tools/parity).
    static func floats(_ url: URL) throws -> [Float] {
        let data = try Data(contentsOf: url)
        return data.withUnsafeBytes { raw in
            (0..<(data.count / 4)).map { Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: $0 * 4, as: UInt32.self))) }
        }
    }
}

/// Asserts `a` matches `e` within `1e-4 * max|e|` everywhere (PyTorch parity).
func assertCloseToScale(_ a: [Float], _ e: [Float], _ what: String, file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertEqual(a.count, e.count, what, file: file, line: line)
    let scale = e.map { abs($0) }.max() ?? 0
    let worst = zip(a, e).map { abs($0 - $1) }.max() ?? .infinity
    XCTAssertLessThanOrEqual(worst, 1e-4 * scale, "\(what): max error \(worst)", file: file, line: line)
}
