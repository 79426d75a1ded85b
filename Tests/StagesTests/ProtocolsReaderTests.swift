import Analysis
import Foundation
import XCTest
@testable import Stages
import Core
@testable import Imaging
@testable import Figures
@testable import Datasets
@testable import Pipeline

/// Pair lists and the three IJB-C protocol layouts, read from small hand-written files.
final class ProtocolsReaderTests: XCTestCase {
    private var dir: String!

    override func setUpWithError() throws {
        dir = NSTemporaryDirectory() + "protocols-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(atPath: dir) }

    @discardableResult
    private func write(_ name: String, _ text: String) throws -> String {
        let p = (dir as NSString).appendingPathComponent(name)
        try text.write(toFile: p, atomically: true, encoding: .utf8)
        return p
    }

    private func expectError(_ body: @autoclosure () throws -> Any, contains parts: [String],
                             file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try body(), file: file, line: line) { error in
            let text = "\(error)"
            for p in parts { XCTAssertTrue(text.contains(p), "'\(text)' lacks '\(p)'", file: file, line: line) }
        }
    }

    func testPairCSVWithHeaderAndCRLF() throws {
        let index = ImageKeyIndex(paths: ["a/1.jpg", "a/2.jpg", "b/1.png"])
        let p = try write("pairs.csv", "left,right,label\r\na/1.jpg,a/2.jpg,1\r\n\r\na/2.jpg,b/1.jpg,0\r\n")
        let pairs = try readImagePairs(p, format: .csv, index: index)
        XCTAssertEqual(pairs.left, [0, 1])
        XCTAssertEqual(pairs.right, [1, 2])  // b/1.jpg found as b/1.png (extension differs)
        XCTAssertEqual(pairs.labels, [true, false])
    }

    func testPairCSVErrorsNameFileAndLine() throws {
        let index = ImageKeyIndex(paths: ["a/1.jpg", "a/2.jpg"])
        let bad = try write("bad.csv", "a/1.jpg,a/2.jpg,1\na/1.jpg,a/2.jpg\n")
        expectError(try readImagePairs(bad, format: .csv, index: index), contains: ["bad.csv:2:", "3 fields"])
        let label = try write("label.csv", "a/1.jpg,a/2.jpg,2\n")
        expectError(try readImagePairs(label, format: .csv, index: index), contains: ["label.csv:1:", "not 0 or 1"])
        let unknown = try write("unknown.csv", "a/1.jpg,a/2.jpg,1\n\na/1.jpg,zz.jpg,0\n")
        expectError(try readImagePairs(unknown, format: .csv, index: index),
                    contains: ["unknown.csv:3:", "'zz.jpg' is not in the store"])
    }

    func testLFWPairs() throws {
        let index = ImageKeyIndex(paths: ["Abel/Abel_0001.jpg", "Abel/Abel_0002.jpg", "Zoe_X/Zoe_X_0012.jpg"])
        let p = try write("pairs.txt", "1\t2\nAbel\t1\t2\nAbel\t2\tZoe_X\t12\n")
        let pairs = try readImagePairs(p, format: .lfw, index: index)
        XCTAssertEqual(pairs.left, [0, 1])
        XCTAssertEqual(pairs.right, [1, 2])
        XCTAssertEqual(pairs.labels, [true, false])
        let bad = try write("bad.txt", "1\t2\nAbel\t1\nAbel\tx\t2\n")
        expectError(try readImagePairs(bad, format: .lfw, index: index), contains: ["bad.txt:2:", "fields"])
        let badNumber = try write("bad2.txt", "Abel\tx\t2\n")
        expectError(try readImagePairs(badNumber, format: .lfw, index: index), contains: ["bad2.txt:1:", "'x'"])
    }

    func testReferenceLayoutDropsTemplatesWithoutImagesAndOrdersByKey() throws {
        try write("enroll_templates.csv", """
            TEMPLATE_ID,SUBJECT_ID,FILENAME
            1,10,img/5.jpg
            1,10,frames/2.png
            1,10,img/5.jpg
            2,11,img/7.jpg
            3,12,img/404.jpg
            """)
        try write("verif_templates.csv", "TEMPLATE_ID,SUBJECT_ID,FILENAME,EXTRA\n20,10,img/9.jpg,x\n21,11,img/8.jpg,y\n")
        try write("cropped_matches.csv", "1,20\n1,21\n2,21\n3,20\n")
        let index = ImageKeyIndex(paths: ["10/img_5.jpg", "10/frames_2.png", "11/img_7.jpg", "10/img_9.jpg", "11/img_8.jpg"])
        let proto = try readTemplateProtocol(directory: dir, format: .reference, index: index)
        XCTAssertEqual(proto.templateIDs, [1, 2, 20, 21])
        XCTAssertEqual(proto.subjects, [10, 11, 10, 11])
        // template 1: keys sorted as strings, the duplicate counted once
        XCTAssertEqual(Array(proto.members.members[0..<2]), [1, 0])
        XCTAssertEqual(proto.members.offsets, [0, 2, 3, 4, 5])
        XCTAssertEqual(proto.pairs.left, [0, 0, 1])
        XCTAssertEqual(proto.pairs.right, [2, 3, 3])
        XCTAssertEqual(proto.pairs.labels, [true, false, true])
        XCTAssertEqual(proto.droppedTemplates, 1)
        XCTAssertEqual(proto.droppedPairs, 1)
        XCTAssertEqual(proto.missingImages, 1)
        XCTAssertTrue(proto.summary.contains("dropped 1 templates"))
    }

    func testReferenceLayoutErrors() throws {
        try write("enroll_templates.csv", "TEMPLATE_ID,SUBJECT_ID,FILENAME\n1,10,a.jpg\nx,10,b.jpg\n")
        try write("verif_templates.csv", "TEMPLATE_ID,SUBJECT_ID,FILENAME\n2,10,c.jpg\n")
        try write("cropped_matches.csv", "1,2\n")
        let index = ImageKeyIndex(paths: ["10/a.jpg", "10/c.jpg"])
        expectError(try readTemplateProtocol(directory: dir, format: .reference, index: index),
                    contains: ["enroll_templates.csv:3:", "TEMPLATE_ID 'x'"])
        try write("enroll_templates.csv", "TEMPLATE_ID,SUBJECT_ID,FILENAME\n1,10,a.jpg\n")
        try write("cropped_matches.csv", "1,2\n1,99\n")
        expectError(try readTemplateProtocol(directory: dir, format: .reference, index: index),
                    contains: ["cropped_matches.csv:2:", "template 99 is not in the template lists"])
        try write("enroll_templates.csv", "ID,NAME\n1,10\n")
        expectError(try readTemplateProtocol(directory: dir, format: .reference, index: index),
                    contains: ["enroll_templates.csv:1:", "TEMPLATE_ID,SUBJECT_ID,FILENAME"])
    }

    func testOfficialIJBCLayoutWithHeaderInMatches() throws {
        try write("ijbc_1N_gallery_G1.csv", "TEMPLATE_ID,SUBJECT_ID,FILENAME,SIGHTING_ID\n1,10,img/1.jpg,5\n1,10,img/2.jpg,5\n")
        try write("ijbc_1N_gallery_G2.csv", "TEMPLATE_ID,SUBJECT_ID,FILENAME,SIGHTING_ID\n2,11,img/3.jpg,6\n")
        try write("ijbc_1N_probe_mixed.csv", "TEMPLATE_ID,SUBJECT_ID,FILENAME,SIGHTING_ID\n7,10,img/4.jpg,8\n")
        try write("ijbc_11_G1_G2_matches.csv", "ENROLL_TEMPLATE_ID,VERIF_TEMPLATE_ID\n1,7\n2,7\n")
        let index = ImageKeyIndex(paths: ["10/img_1.jpg", "10/img_2.jpg", "11/img_3.jpg", "10/img_4.jpg"])
        let proto = try readTemplateProtocol(directory: dir, format: .ijbc, index: index)
        XCTAssertEqual(proto.pairs.labels, [true, false])
        XCTAssertEqual(proto.members.media.map { Array($0[0..<2]) }, [0, 0])  // same sighting, same media
    }

    func testInsightFaceLayoutWithDetectorScores() throws {
        try write("ijbc_face_tid_mid.txt", "1.jpg 1 100\n2.jpg 1 101\n3.jpg 2 102\n4.jpg 3 103\n")
        try write("ijbc_template_pair_label.txt", "1 2 1\n1 3 0\n2 3 0\n")
        try write("ijbc_name_5pts_score.txt", """
            1.jpg 1 2 3 4 5 6 7 8 9 10 0.9
            2.jpg 1 2 3 4 5 6 7 8 9 10 0.5
            3.jpg 1 2 3 4 5 6 7 8 9 10 0.7
            4.jpg 1 2 3 4 5 6 7 8 9 10 0.8
            """)
        let index = ImageKeyIndex(paths: ["loose_crop/1.jpg", "loose_crop/2.jpg", "loose_crop/3.jpg"])
        let proto = try readTemplateProtocol(directory: dir, format: .insightface, index: index)
        XCTAssertEqual(proto.templateIDs, [1, 2])
        XCTAssertNil(proto.subjects)
        XCTAssertEqual(proto.pairs.labels, [true])
        XCTAssertEqual(proto.droppedPairs, 2)
        XCTAssertEqual(proto.members.detectorScores, [0.9, 0.5, 0.7])
        XCTAssertEqual(proto.members.media, [100, 101, 102])

        try write("ijbc_template_pair_label.txt", "1 2 1\n1 2 3\n")
        expectError(try readTemplateProtocol(directory: dir, format: .insightface, index: index),
                    contains: ["ijbc_template_pair_label.txt:2:", "label 3"])
        try write("ijbc_template_pair_label.txt", "1 2 1\n1 77 0\n")
        expectError(try readTemplateProtocol(directory: dir, format: .insightface, index: index),
                    contains: ["ijbc_template_pair_label.txt:2:", "template 77"])
        try write("ijbc_name_5pts_score.txt", "1.jpg 1 2 3\n")
        expectError(try readTemplateProtocol(directory: dir, format: .insightface, index: index),
                    contains: ["ijbc_name_5pts_score.txt:1:", "12 fields"])
    }
}

/// The parallel line scanner: same lines, numbers and first error as the serial one.
final class ProtocolsParallelScanTests: XCTestCase {
    func testParallelChunksSeeEveryLineWithItsNumber() throws {
        let dir = try TestSupport.scratchDirectory(self)
        let path = dir.appendingPathComponent("pairs.txt").path
        var lines = (0..<1000).map { i in i % 7 == 0 ? "" : "\(i) \(i * 3) \(i % 2)\r" }
        let text = lines.joined(separator: "\n") + "\n"
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        let scanner = try FieldScanner(path: path)
        var serial: [[Int]] = []
        try scanner.forEachLine(separator: .whitespace) { line in
            serial.append([line.number, try line.int(0, what: ""), try line.int(1, what: "")])
        }
        for chunks in [1, 2, 3, 7] {
            let states = try scanner.forEachLineInParallel(separator: .whitespace, minBytes: 0, chunks: chunks,
                                                           makeState: { _ in [[Int]]() }) { state, line in
                state.append([line.number, try line.int(0, what: ""), try line.int(1, what: "")])
            }
            XCTAssertEqual(states.flatMap { $0 }, serial, "\(chunks) chunks")
        }
        // errors on lines 500 and 900: the earlier one is reported, with its number
        lines[499] = "x 1 0"; lines[899] = "y 1 0"
        try lines.joined(separator: "\n").write(toFile: path, atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try FieldScanner(path: path).forEachLineInParallel(
            separator: .whitespace, minBytes: 0, chunks: 3, makeState: { _ in 0 }) { _, line in
                _ = try line.int(0, what: "template id")
            }) { error in
            XCTAssertTrue("\(error)".contains("pairs.txt:500:") && "\(error)".contains("'x'"), "\(error)")
        }
    }
}
