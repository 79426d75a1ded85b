import Foundation
import XCTest
@testable import Backbone

/// GANResize against scipy.ndimage.zoom(order=1, mode='mirror', grid_mode=True), bit for bit
/// (Fixtures/gan/resize.json from tools/parity/gan_resize_fixture.py), and the spec's worked edges.
final class GANResizeTests: XCTestCase {
    struct Case: Decodable { let height: Int; let width: Int; let out_height: Int; let out_width: Int; let input: String; let output: String }
    struct Shipped: Decodable { let height: Int; let width: Int; let input: String; let output_fnv1a64: String; let output_first: Float; let output_last: Float }
    struct File: Decodable { let cases: [Case]; let shipped: Shipped }

    static func bytes(_ hex: String) -> [UInt8] {
        let u = Array(hex.utf8)
        func nibble(_ c: UInt8) -> UInt8 { c <= 57 ? c - 48 : c - 87 }
        return stride(from: 0, to: u.count, by: 2).map { nibble(u[$0]) << 4 | nibble(u[$0 + 1]) }
    }

    func load() throws -> File {
        let url = Fixtures.committed.appendingPathComponent("gan/resize.json")
        return try JSONDecoder().decode(File.self, from: Data(contentsOf: url))
    }

    func resize(_ u8: [UInt8], _ h: Int, _ w: Int, _ oh: Int, _ ow: Int) -> [Float] {
        let x = u8.map { Preprocess.meanScale.standardise($0) }
        return x.withUnsafeBufferPointer { GANResize.mirrorBilinear($0, height: h, width: w, channels: 3, outHeight: oh, outWidth: ow) }
    }

    func testSmallCasesBitExactAgainstScipy() throws {
        for c in try load().cases {
            let got = resize(Self.bytes(c.input), c.height, c.width, c.out_height, c.out_width)
            let raw = Self.bytes(c.output)
            let want = stride(from: 0, to: raw.count, by: 4).map {
                Float(bitPattern: UInt32(raw[$0]) | UInt32(raw[$0 + 1]) << 8 | UInt32(raw[$0 + 2]) << 16 | UInt32(raw[$0 + 3]) << 24)
            }
            XCTAssertEqual(got.map(\.bitPattern), want.map(\.bitPattern), "\(c.height)x\(c.width) -> \(c.out_height)x\(c.out_width)")
        }
    }

    func testShipped112To256BitExactAgainstScipy() throws {
        let s = try load().shipped
        let got = resize(Self.bytes(s.input), s.height, s.width, 256, 256)
        XCTAssertEqual(got.first, s.output_first)
        XCTAssertEqual(got.last, s.output_last)
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325  // FNV-1a 64 over the little-endian float32 bytes
        for v in got { for k in 0..<4 { hash = (hash ^ UInt64((v.bitPattern >> (8 * k)) & 0xff)) &* 0x100_0000_01b3 } }
        XCTAssertEqual(String(hash, radix: 16).leftPadded(16), s.output_fnv1a64)
    }

    func testWorkedEdgesFromTheSpec() {
        let t = GANResize.taps(input: 112, output: 256)
        XCTAssertEqual(t[0], GANResize.Tap(i0: 0, i1: 1, f: 0.28125))       // out[0] = 0.71875 p0 + 0.28125 p1
        XCTAssertEqual(t[255], GANResize.Tap(i0: 110, i1: 111, f: 0.71875)) // out[255] = 0.71875 p111 + 0.28125 p110
    }
}

private extension String {
    func leftPadded(_ n: Int) -> String { String(repeating: "0", count: max(0, n - count)) + self }
}
