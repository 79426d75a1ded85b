import Foundation
import XCTest
import Core
@testable import Stages
@testable import Datasets

/// `protocol clean-templates`, `protocol matches` and `pairs sample` against the files of
/// tools/golden/builders_golden.py (Tests/Fixtures/builders), byte for byte.
final class ListBuilderGoldenTests: XCTestCase {
    private let fixtures = TestSupport.repoRoot.appendingPathComponent("Tests/Fixtures/builders")

    private func fixture(_ name: String) throws -> String {
        try String(contentsOf: fixtures.appendingPathComponent(name), encoding: .utf8)
    }

    /// Empty files for every `folder/file` line of a fixture listing (`folder/` alone: an empty folder).
    private func materialise(_ listing: String, under root: URL) throws {
        for line in try fixture(listing).split(separator: "\n") {
            let url = root.appendingPathComponent(String(line))
            if line.hasSuffix("/") {
                try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
            } else {
                try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
                try Data().write(to: url)
            }
        }
    }

    func testCleanTemplatesMatchesGolden() throws {
        let dir = try TestSupport.scratchDirectory(self)
        let images = dir.appendingPathComponent("images")
        try materialise("present.txt", under: images)
        var options = try CleanTemplatesOptions.parse(["--protocol", fixtures.path, "--images", images.path])
        options.out = dir.appendingPathComponent("cleaned.csv").path
        let cleaned = try CleanTemplatesJob(options).run(log: Log(quiet: true))
        XCTAssertEqual(try String(contentsOfFile: options.out!, encoding: .utf8), try fixture("cleaned_templates.csv"))
        XCTAssertEqual(cleaned.rows, 18 + 32)
        XCTAssertEqual(cleaned.kept, 38)
    }

    func testMatchListsMatchGolden() throws {
        for (g, i, genuine, impostor) in [(4, 12, 4, 12), (100, 3, 12, 3), (0, 0, 0, 0)] {
            let list = try buildMatchList(cleaned: fixtures.appendingPathComponent("cleaned_templates.csv").path,
                                          matches: fixtures.appendingPathComponent("match.csv").path, genuine: g, impostor: i)
            XCTAssertEqual(list.text, try fixture("matches_\(g)_\(i).csv"), "\(g) / \(i)")
            XCTAssertEqual(list.genuine, genuine)
            XCTAssertEqual(list.impostor, impostor)
        }
        // 4 / 12 stops before the end of match.csv (144 rows); template 8 has no image
        let list = try buildMatchList(cleaned: fixtures.appendingPathComponent("cleaned_templates.csv").path,
                                      matches: fixtures.appendingPathComponent("match.csv").path, genuine: 4, impostor: 12)
        XCTAssertGreaterThan(list.skipped, 0)
        XCTAssertLessThan(list.read, 144)
        XCTAssertFalse(list.text.contains("\n8,"))
        XCTAssertFalse(list.text.hasPrefix("8,"))
    }

    func testPairSampleMatchesGoldenWithAndWithoutSplit() throws {
        let dir = try TestSupport.scratchDirectory(self)
        let aligned = dir.appendingPathComponent("aligned")
        try materialise("identities.txt", under: aligned)
        let out = dir.appendingPathComponent("lists").path
        let written = try PairSampleJob(try PairSampleOptions.parse(
            ["--images", aligned.path, "--count", "40", "--positive-share", "0.3", "--seed", "7", "--out", out])).run(log: Log(quiet: true))
        XCTAssertEqual(Array(written.keys), ["pairs_40_prob_0.3.csv"])
        XCTAssertEqual(try String(contentsOfFile: out + "/pairs_40_prob_0.3.csv", encoding: .utf8), try fixture("pairs_40_prob_0.3.csv"))
        XCTAssertEqual(written["pairs_40_prob_0.3.csv"]?.negatives, 28)

        let split = dir.appendingPathComponent("split").path
        let r = try TestSupport.scaleface(["pairs", "sample", "--images", aligned.path, "--count", "30", "--val-share", "0.5",
                                           "--seed", "11", "--out", split])
        XCTAssertEqual(r.status, 0, r.stderr)
        for name in ["val_identities.txt", "test_identities.txt", "val_pairs_30_prob_0.5.csv", "test_pairs_30_prob_0.5.csv"] {
            XCTAssertEqual(try String(contentsOfFile: split + "/" + name, encoding: .utf8), try fixture("split/" + name), name)
        }
        // identity-disjoint: every pair of a list uses that list's identities only
        for part in ["val", "test"] {
            let ids = Set(try fixture("split/\(part)_identities.txt").split(separator: "\n").map(String.init))
            for line in try fixture("split/\(part)_pairs_30_prob_0.5.csv").split(separator: "\n") {
                let f = line.split(separator: ",")
                XCTAssertTrue(ids.contains(String(f[0].split(separator: "/")[0])) && ids.contains(String(f[1].split(separator: "/")[0])))
            }
        }
    }

    func testBuilderErrorsNameFileAndLine() throws {
        let dir = try TestSupport.scratchDirectory(self)
        let bad = dir.appendingPathComponent("match.csv")
        try "ENROLL,VERIF\n1,2\n".write(to: bad, atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try buildMatchList(cleaned: fixtures.appendingPathComponent("cleaned_templates.csv").path,
                                                matches: bad.path, genuine: 1, impostor: 1)) {
            XCTAssertTrue("\($0)".contains("match.csv:1:") && "\($0)".contains("ENROLL_TEMPLATE_ID"), "\($0)")
        }
        try "ENROLL_TEMPLATE_ID,VERIF_TEMPLATE_ID\n1,101\nx,101\n".write(to: bad, atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try buildMatchList(cleaned: fixtures.appendingPathComponent("cleaned_templates.csv").path,
                                                matches: bad.path, genuine: 5, impostor: 5)) {
            XCTAssertTrue("\($0)".contains("match.csv:3:") && "\($0)".contains("'x' is not an integer"), "\($0)")
        }
        let protocolDir = dir.appendingPathComponent("p")
        try FileManager.default.createDirectory(at: protocolDir, withIntermediateDirectories: true)
        try "TEMPLATE_ID,SUBJECT_ID,FILENAME\n1,2,img/3.jpg\n".write(to: protocolDir.appendingPathComponent("enroll_templates.csv"), atomically: true, encoding: .utf8)
        try "TEMPLATE_ID,SUBJECT_ID,FILENAME,X\n".write(to: protocolDir.appendingPathComponent("verif_templates.csv"), atomically: true, encoding: .utf8)
        let r = try TestSupport.scaleface(["protocol", "clean-templates", "--protocol", protocolDir.path, "--images", dir.path])
        XCTAssertNotEqual(r.status, 0)
        XCTAssertTrue(r.stderr.contains("verif_templates.csv:1:") && r.stderr.contains("header differs"), r.stderr)

        // too few images for the negatives asked for
        let aligned = dir.appendingPathComponent("two")
        for p in ["a/1.png", "b/1.png"] {
            try FileManager.default.createDirectory(at: aligned.appendingPathComponent(p).deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data().write(to: aligned.appendingPathComponent(p))
        }
        var sampler = PairSampler(seed: 1)
        XCTAssertThrowsError(try sampler.sample(try listIdentityFolders(root: aligned.path), count: 10, positiveShare: 0.5)) {
            XCTAssertTrue("\($0)".contains("5 distinct negative pairs asked for, but these folders allow only 2"), "\($0)")
        }
    }
}
