import Foundation
import XCTest
@testable import Stages
import Core
@testable import Imaging
@testable import Figures
@testable import Datasets
@testable import Pipeline

final class ImageErrorTests: XCTestCase {
    func kind(_ p: ImageError.Problem) -> String {
        switch p {
        case .missingFile: return "missingFile"
        case .unreadable: return "unreadable"
        case .unknownFormat: return "unknownFormat"
        case .corrupt: return "corrupt"
        case .truncated: return "truncated"
        case .unsupported: return "unsupported"
        case .invalidSize, .bufferSize, .cropTooLarge: return "size"
        case .writeFailed: return "writeFailed"
        }
    }

    func testBrokenFilesAreErrorsNamingTheFileAndTheProblem() throws {
        let manifest = try ImageManifest.load()
        XCTAssertEqual(manifest.errors.count, 10)
        for e in manifest.errors {
            let path = ImageManifest.directory + "/" + e.file
            XCTAssertThrowsError(try RGBImage.decode(path: path), e.file) { error in
                guard let error = error as? ImageError else { return XCTFail("\(e.file): \(error)") }
                XCTAssertEqual(kind(error.problem), e.problem, "\(e.file): \(error)")
                XCTAssertEqual(error.path, path)
                let line = error.description
                XCTAssertTrue(line.contains(path) && !line.contains("\n"), line)
            }
        }
    }

    func testUnknownFormatShowsTheFirstBytes() {
        XCTAssertThrowsError(try RGBImage.decode(bytes: Array("GIF89a..".utf8), path: "x.gif")) {
            XCTAssertEqual("\($0)", "image x.gif: not a PNG or JPEG file (first bytes 47 49 46 38 39 61 2e 2e)")
        }
    }

    func testDirectoryIsUnreadableNotMissing() {
        XCTAssertThrowsError(try RGBImage.decode(path: ImageManifest.directory)) {
            XCTAssertEqual(($0 as? ImageError).map { kind($0.problem) }, "unreadable")
        }
    }

    func testEveryPrefixOfAFileFailsCleanly() throws {
        // Cutting a valid file anywhere must give an error or, when every pixel was already
        // read (a PNG missing only checksums or IEND), the whole picture: never a crash and
        // never a silently half-decoded one.
        for name in ["rgba16-interlaced.png", "palette4.png", "gray16.png", "progressive-420.jpg", "baseline-420.jpg"] {
            let data = [UInt8](try Data(contentsOf: URL(fileURLWithPath: ImageManifest.directory + "/" + name)))
            let whole = try RGBImage.decode(bytes: data, path: name)
            var partial: [Int] = []
            var failed = 0
            for n in stride(from: 0, to: data.count, by: max(1, data.count / 211)) {
                if let image = try? RGBImage.decode(bytes: Array(data[..<n]), path: name) {
                    if image != whole { partial.append(n) }
                } else {
                    failed += 1
                }
            }
            XCTAssertEqual(partial, [], "\(name): prefixes that decoded to a different picture")
            XCTAssertGreaterThan(failed, 150, name)
        }
    }

    func testStrayBytesBetweenJPEGSegmentsAreOnlyAWarning() throws {
        let path = ImageManifest.directory + "/baseline-420.jpg"
        var data = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        let sos = try XCTUnwrap((2..<data.count - 1).first { data[$0] == 0xFF && data[$0 + 1] == 0xDA })
        data.insert(contentsOf: [0x12, 0x34, 0x56], at: sos)
        XCTAssertEqual(try RGBImage.decode(bytes: data, path: "stray.jpg"), try RGBImage.decode(path: path))
    }
}
