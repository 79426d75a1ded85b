import Foundation
import XCTest
@testable import Stages
import Store
import Core
@testable import Imaging
@testable import Figures
@testable import Datasets
@testable import Pipeline

/// Files of a generated dataset: byte-for-byte determinism, and every listing consistent with
/// the images on disk and with the identities encoded in the paths.
final class SynthDatasetTests: XCTestCase {
    /// Relative path -> bytes of every file under `root`.
    private func snapshot(_ root: URL) throws -> [String: Data] {
        var out: [String: Data] = [:]
        let e = FileManager.default.enumerator(atPath: root.path)!
        while let rel = e.nextObject() as? String {
            var isDir: ObjCBool = false
            let full = root.appendingPathComponent(rel).path
            if FileManager.default.fileExists(atPath: full, isDirectory: &isDir), !isDir.boolValue {
                out[rel] = try Data(contentsOf: URL(fileURLWithPath: full))
            }
        }
        return out
    }

    func testSameSeedGivesTheSameBytesAndAnotherSeedDoesNot() throws {
        let scratch = try TestSupport.scratchDirectory(self)
        var faces = SyntheticFaces(identities: 5, imagesPerIdentity: 3, seed: 99, size: 64, rawSize: 80)
        faces.writeAligned = true
        try faces.write(to: scratch.appendingPathComponent("a").path)
        try faces.write(to: scratch.appendingPathComponent("b").path)
        faces.seed = 100
        try faces.write(to: scratch.appendingPathComponent("c").path)
        let a = try snapshot(scratch.appendingPathComponent("a"))
        let b = try snapshot(scratch.appendingPathComponent("b"))
        let c = try snapshot(scratch.appendingPathComponent("c"))
        XCTAssertEqual(a.count, 15 * 2 + 22 + 3 + 30)  // raw and aligned pictures, 22 listings, IJB-B (3) and IJB-A (10 x 3) files
        XCTAssertEqual(Set(a.keys), Set(b.keys))
        for (k, v) in a { XCTAssertEqual(v, b[k], k) }
        XCTAssertNotEqual(a["images/1/1_0001.png"], c["images/1/1_0001.png"])
        XCTAssertNotEqual(a["landmarks.txt"], c["landmarks.txt"])
        // Only the three datasets remain: no staging folder is left behind.
        XCTAssertEqual(TestSupport.entries(scratch), ["a", "b", "c"])
    }

    func testListingsAndProtocolsAreConsistent() throws {
        let dir = try TestSupport.scratchDirectory(self).appendingPathComponent("data")
        var faces = SyntheticFaces(identities: 24, imagesPerIdentity: 5, seed: 3, size: 64, rawSize: 96)
        faces.testFraction = 0.5
        let summary = try faces.write(to: dir.path)
        for line in summary.lines { print("synth dataset: " + line) }
        func text(_ name: String) throws -> [String] {
            try String(contentsOf: dir.appendingPathComponent(name), encoding: .utf8).split(separator: "\n").map(String.init)
        }
        func subject(_ path: String) -> String { String(path.split(separator: "/")[0]) }
        func imageExists(_ key: String) -> Bool {
            FileManager.default.fileExists(atPath: dir.appendingPathComponent("images/" + key).path)
        }

        // paths, labels, landmarks, severities: one per picture, in the same order.
        let paths = try text("paths.txt")
        XCTAssertEqual(paths.count, 120)
        XCTAssertEqual(Set(paths).count, 120)
        for p in paths {
            let im = try RGBImage.decode(path: dir.appendingPathComponent("images/" + p).path)
            XCTAssertEqual([im.width, im.height], [96, 96], p)
        }
        let labels = try text("labels.txt")
        XCTAssertEqual(labels, paths.map { String(Int(subject($0))! - 1) })
        let npy = try NpyFile.readInt64(dir.appendingPathComponent("labels.npy").path)
        XCTAssertEqual(npy.shape, [120])
        XCTAssertEqual(npy.values.map { String($0) }, labels)
        let landmarks = try LandmarkFile.read(path: dir.appendingPathComponent("landmarks.txt").path)
        XCTAssertEqual(landmarks.records.map(\.imageName), paths)
        for r in landmarks.records {
            XCTAssertTrue(r.points.allSatisfy { $0.x >= 0 && $0.y >= 0 && $0.x < 96 && $0.y < 96 }, r.imageName)
            XCTAssertLessThan(r.points[0].x, r.points[1].x + 20)  // left eye is left (rotations stay within 30 degrees)
            XCTAssertTrue((0...1).contains(r.detectorScore))
        }
        let severity = try text("severity.csv")
        XCTAssertEqual(severity.first, "path,severity,blur,noise,dark,occlusion,downscale")
        XCTAssertEqual(severity.dropFirst().map { String($0.split(separator: ",")[0]) }, paths)
        XCTAssertEqual(severity.dropFirst().filter { $0.split(separator: ",")[1] == "0.000000" }.count, summary.cleanImages)

        // Splits by identity.
        let train = try text("splits/train.txt"), test = try text("splits/test.txt")
        XCTAssertEqual(Set(train).union(test), Set(paths))
        XCTAssertTrue(Set(train).isDisjoint(with: test))
        let testSubjects = Set(test.map(subject))
        XCTAssertTrue(Set(train.map(subject)).isDisjoint(with: testSubjects))
        XCTAssertEqual(testSubjects.count, 12)
        XCTAssertEqual(summary.testIdentities, 12)
        // train_a / train_b: alternate pictures (file numbers odd / even) of the train identities.
        let a = try text("splits/train_a.txt"), b = try text("splits/train_b.txt")
        XCTAssertEqual(Set(a).union(b), Set(train))
        XCTAssertTrue(Set(a).isDisjoint(with: b))
        func fileNumber(_ p: String) -> Int { Int(p.split(separator: "_").last!.dropLast(4))! }
        XCTAssertTrue(a.allSatisfy { fileNumber($0) % 2 == 1 } && b.allSatisfy { fileNumber($0) % 2 == 0 })
        XCTAssertEqual(Set(a.map(subject)), Set(train.map(subject)))

        // pairs.csv: labels follow identities; test identities only; no pair twice.
        let pairs = try text("pairs.csv")
        XCTAssertEqual(pairs.first, "left,right,label")
        var seen = Set<String>(), genuine = 0
        for line in pairs.dropFirst() {
            let f = line.split(separator: ",").map(String.init)
            XCTAssertEqual(f.count, 3)
            XCTAssertEqual(f[2], subject(f[0]) == subject(f[1]) ? "1" : "0", line)
            XCTAssertTrue(testSubjects.contains(subject(f[0])) && testSubjects.contains(subject(f[1])), line)
            XCTAssertTrue(imageExists(f[0]) && imageExists(f[1]), line)
            XCTAssertNotEqual(f[0], f[1])
            XCTAssertTrue(seen.insert(f[0] + "," + f[1]).inserted, line)
            if f[2] == "1" { genuine += 1 }
        }
        XCTAssertEqual(genuine, 12 * 10)   // every pair of 5 pictures of each test identity
        XCTAssertEqual(pairs.count - 1 - genuine, 4 * genuine)

        // pairs.txt: LFW layout, folds disjoint in identities.
        let lfw = try text("pairs.txt")
        let header = lfw[0].split(separator: " ").map { Int($0)! }
        XCTAssertEqual(header, [summary.lfwFolds, summary.lfwPairsPerFold])
        XCTAssertEqual(header[0], 6)        // min(10, 12 test identities / 2)
        XCTAssertEqual(header[1], 20)       // each fold holds 2 identities: 2 * C(5, 2) genuine pairs
        XCTAssertEqual(lfw.count, 1 + header[0] * 2 * header[1])
        var foldSubjects: [Set<String>] = []
        for fold in 0..<header[0] {
            var names = Set<String>()
            for (k, line) in lfw[(1 + fold * 2 * header[1])..<(1 + (fold + 1) * 2 * header[1])].enumerated() {
                let f = line.split(separator: "\t").map(String.init)
                let same = k < header[1]
                XCTAssertEqual(f.count, same ? 3 : 4, line)
                let images = same ? [(f[0], f[1]), (f[0], f[2])] : [(f[0], f[1]), (f[2], f[3])]
                for (name, n) in images {
                    XCTAssertTrue(imageExists("\(name)/\(name)_\(String(format: "%04d", Int(n)!)).png"), line)
                    names.insert(name)
                }
                if !same { XCTAssertNotEqual(f[0], f[2], line) } else { XCTAssertNotEqual(f[1], f[2], line) }
            }
            XCTAssertTrue(names.isSubset(of: testSubjects))
            for other in foldSubjects { XCTAssertTrue(other.isDisjoint(with: names)) }
            foldSubjects.append(names)
        }

        // pairs_CPLFW.txt: the pairs of pairs.txt in its order, two '<file name> <label>' lines each;
        // under CPLFW's 2,000 test identities every pair is a test pair.
        let cross = try text("pairs_CPLFW.txt")
        XCTAssertEqual(cross.count, 2 * (lfw.count - 1))
        for (k, line) in lfw.dropFirst().enumerated() {
            let f = line.split(separator: "\t").map(String.init)
            func name(_ s: String, _ n: String) -> String { "\(s)_\(String(format: "%04d", Int(n)!)).png" }
            let want = f.count == 3 ? [name(f[0], f[1]) + " 1", name(f[0], f[2]) + " 1"]
                                    : [name(f[0], f[1]) + " 0", name(f[2], f[3]) + " 0"]
            XCTAssertEqual(Array(cross[(2 * k)...(2 * k + 1)]), want, line)
        }
        let crossPairs = try readCrossPairs(dir.appendingPathComponent("pairs_CPLFW.txt").path)
        XCTAssertEqual(crossPairs.test, Array(0..<(lfw.count - 1)))
        XCTAssertEqual(crossPairs.val, [])
        XCTAssertEqual(Set(crossPairs.shuffledIdentities), testSubjects)

        // IJB-C-style protocols.
        struct Row: Hashable { var template: Int; var subject: String; var key: String; var media: Int }
        func csvRows(_ name: String, header want: String) throws -> [Row] {
            let lines = try text(name)
            XCTAssertEqual(lines.first, want, name)
            return lines.dropFirst().map { l in
                let f = l.split(separator: ",").map(String.init)
                return Row(template: Int(f[0])!, subject: f[1], key: f[1] + "/" + f[2].replacingOccurrences(of: "/", with: "_"),
                           media: Int(f[3])!)
            }
        }
        let official = "TEMPLATE_ID,SUBJECT_ID,FILENAME,MEDIA_ID,SIGHTING_ID,FACE_X,FACE_Y,FACE_WIDTH,FACE_HEIGHT"
        let g1 = try csvRows("protocol/ijbc/ijbc_1N_gallery_G1.csv", header: official)
        let g2 = try csvRows("protocol/ijbc/ijbc_1N_gallery_G2.csv", header: official)
        let probes = try csvRows("protocol/ijbc/ijbc_1N_probe_mixed.csv", header: official)
        let enroll = try csvRows("protocol/reference/enroll_templates.csv", header: "TEMPLATE_ID,SUBJECT_ID,FILENAME,MEDIA_ID")
        let verif = try csvRows("protocol/reference/verif_templates.csv", header: "TEMPLATE_ID,SUBJECT_ID,FILENAME,MEDIA_ID")
        XCTAssertEqual(Set(g1 + g2), Set(enroll))
        XCTAssertEqual(Set(probes), Set(verif))
        XCTAssertTrue(Set(g1.map(\.subject)).isDisjoint(with: g2.map(\.subject)))
        var subjectOf: [Int: String] = [:]
        for r in enroll + verif {
            XCTAssertTrue(imageExists(r.key), r.key)
            XCTAssertEqual(subject(r.key), r.subject)
            XCTAssertTrue(testSubjects.contains(r.subject))
            if let s = subjectOf[r.template] { XCTAssertEqual(s, r.subject, "template \(r.template)") }
            subjectOf[r.template] = r.subject
        }
        let galleryIDs = Set(enroll.map(\.template)), probeIDs = Set(verif.map(\.template))
        XCTAssertTrue(galleryIDs.isDisjoint(with: probeIDs))
        XCTAssertEqual(galleryIDs.count, 12)
        XCTAssertEqual(Set(enroll.map(\.subject)).count, 12)   // one gallery template per subject
        XCTAssertEqual(Set(enroll.map(\.key)).count + Set(verif.map(\.key)).count, test.count)  // each test picture once
        XCTAssertTrue(Set(enroll.map(\.key)).isDisjoint(with: verif.map(\.key)))
        let matches = try text("protocol/ijbc/ijbc_11_G1_G2_matches.csv")
        XCTAssertEqual(matches, try text("protocol/reference/cropped_matches.csv"))
        let labelled = try text("protocol/insightface/ijbc_template_pair_label.txt")
        XCTAssertEqual(matches.count, labelled.count)
        var genuinePerProbe: [Int: Int] = [:]
        for (m, l) in zip(matches, labelled) {
            let t = m.split(separator: ",").map { Int($0)! }
            let f = l.split(separator: " ").map { Int($0)! }
            XCTAssertEqual(Array(f.prefix(2)), t)
            XCTAssertTrue(galleryIDs.contains(t[0]) && probeIDs.contains(t[1]), m)
            XCTAssertEqual(f[2], subjectOf[t[0]] == subjectOf[t[1]] ? 1 : 0, l)
            genuinePerProbe[t[1], default: 0] += f[2]
        }
        XCTAssertEqual(Set(genuinePerProbe.keys), probeIDs)
        XCTAssertTrue(genuinePerProbe.values.allSatisfy { $0 == 1 })
        XCTAssertEqual(matches.count, probeIDs.count * 12)   // all 11 impostor galleries (fewer than 100)
        XCTAssertEqual(summary.genuineTemplatePairs, probeIDs.count)
        XCTAssertEqual(summary.impostorTemplatePairs, probeIDs.count * 11)
        // InsightFace: every template image with its template and media, and its landmarks.
        let tidMid = try text("protocol/insightface/ijbc_face_tid_mid.txt").map { l -> Row in
            let f = l.split(separator: " ").map(String.init)
            return Row(template: Int(f[1])!, subject: subject(f[0]), key: f[0], media: Int(f[2])!)
        }
        XCTAssertEqual(Set(tidMid), Set(enroll + verif))
        let scores = try LandmarkFile.read(path: dir.appendingPathComponent("protocol/insightface/ijbc_name_5pts_score.txt").path)
        XCTAssertEqual(Set(scores.records.map(\.imageName)), Set(test))
        for r in scores.records { XCTAssertEqual(r, landmarks[r.imageName]) }
        // Media: pictures of one media belong to one subject.
        var mediaSubject: [Int: String] = [:]
        for r in tidMid {
            if let s = mediaSubject[r.media] { XCTAssertEqual(s, r.subject) }
            mediaSubject[r.media] = r.subject
        }
        XCTAssertLessThan(mediaSubject.count, test.count)  // some media hold several pictures
    }
}
