import Core
import Imaging
import Foundation
import Store

/// Counts of what `SyntheticFaces.write` produced, printed by `scaleface synth`.
public struct SyntheticFacesSummary: Equatable, Sendable {
    public var images: Int
    public var trainIdentities: Int
    public var testIdentities: Int
    public var cleanImages: Int
    public var genuinePairs: Int
    public var impostorPairs: Int
    public var lfwFolds: Int
    public var lfwPairsPerFold: Int
    public var galleryTemplates: Int
    public var probeTemplates: Int
    public var genuineTemplatePairs: Int
    public var impostorTemplatePairs: Int

    public var lines: [String] {
        ["\(images) images of \(trainIdentities + testIdentities) identities (\(trainIdentities) train, \(testIdentities) test), \(cleanImages) clean",
         "pairs.csv: \(genuinePairs) genuine and \(impostorPairs) impostor pairs (test identities)",
         "pairs.txt: \(lfwFolds) folds of \(lfwPairsPerFold) same and \(lfwPairsPerFold) different pairs",
         "protocol: \(galleryTemplates) gallery and \(probeTemplates) probe templates, \(genuineTemplatePairs) genuine and \(impostorTemplatePairs) impostor template pairs"]
    }
}

/// Writes every listing of a generated dataset: paths, labels, landmarks, severities, splits,
/// image pairs (CSV, LFW and CPLFW), and the IJB-C-style protocols in the three layouts. All image
/// paths are relative to `DIR/images` and all evaluation files use the test identities only.
struct SyntheticFacesFiles {
    let faces: SyntheticFaces
    let pictures: [SyntheticFaces.Picture]
    let testIdentities: [Int]

    /// Impostor gallery templates per probe template at most (all when there are fewer).
    static let impostorsPerProbe = 100
    static let lfwMaxPairsPerFold = 300

    private func picture(_ identity: Int, _ index: Int) -> SyntheticFaces.Picture {
        pictures[identity * faces.imagesPerIdentity + index]
    }

    func write(into root: String) throws -> SyntheticFacesSummary {
        func file(_ name: String) -> String { (root as NSString).appendingPathComponent(name) }
        let fm = FileManager.default
        for dir in ["splits", "protocol/reference", "protocol/ijbc", "protocol/insightface"] {
            try fm.createDirectory(atPath: file(dir), withIntermediateDirectories: true)
        }
        try writeText(pictures.map { $0.path + "\n" }.joined(), to: file("paths.txt"))
        try writeText(pictures.map { "\($0.identity)\n" }.joined(), to: file("labels.txt"))
        try NpyFile.write(pictures.map { Int64($0.identity) }, shape: [pictures.count], to: file("labels.npy"))
        try writeText(LandmarkFile.format(pictures.map(landmarkRecord)), to: file("landmarks.txt"))
        var severity = "path,severity,blur,noise,dark,occlusion,downscale\n"
        for p in pictures {
            let s = p.severity
            severity += ([p.path] + [s.overall, s.blur, s.noise, s.dark, s.occlusion, s.downscale].map { fixed($0, 6) })
                .joined(separator: ",") + "\n"
        }
        try writeText(severity, to: file("severity.csv"))

        let testSet = Set(testIdentities)
        try writeText(pictures.filter { !testSet.contains($0.identity) }.map { $0.path + "\n" }.joined(), to: file("splits/train.txt"))
        try writeText(pictures.filter { testSet.contains($0.identity) }.map { $0.path + "\n" }.joined(), to: file("splits/test.txt"))
        // Alternate pictures of each train identity: a model fitted on one half makes honest
        // mistakes on the other, which is what heads that learn uncertainty need to see.
        for (name, parity) in [("train_a", 0), ("train_b", 1)] {
            try writeText(pictures.filter { !testSet.contains($0.identity) && $0.index % 2 == parity }.map { $0.path + "\n" }.joined(),
                          to: file("splits/\(name).txt"))
        }

        var rng = SplitMix64.stream(faces.seed, 100)
        let (genuine, impostor) = try writeImagePairs(to: file("pairs.csv"), rng: &rng)
        let (folds, perFold) = try writeLFWPairs(to: file("pairs.txt"), rng: &rng)
        try writeSyntheticCrossPairs(lfwPairs: file("pairs.txt"), to: file("pairs_CPLFW.txt"))  // CPLFW / CALFW
        let templates = try writeProtocols(root: file("protocol"), rng: &rng)
        try writeSyntheticIJBLayouts(protocolRoot: file("protocol"), seed: faces.seed)  // IJB-B, IJB-A
        return SyntheticFacesSummary(
            images: pictures.count, trainIdentities: faces.identities - testIdentities.count,
            testIdentities: testIdentities.count,
            cleanImages: pictures.filter { $0.severity == .clean }.count,
            genuinePairs: genuine, impostorPairs: impostor, lfwFolds: folds, lfwPairsPerFold: perFold,
            galleryTemplates: templates.gallery, probeTemplates: templates.probe,
            genuineTemplatePairs: templates.genuine, impostorTemplatePairs: templates.impostor)
    }

    private func landmarkRecord(_ p: SyntheticFaces.Picture) -> LandmarkRecord {
        LandmarkRecord(imageName: p.path, points: p.landmarks, detectorScore: p.detectorScore)
    }

    /// Every genuine pair of each test identity, then `impostorsPerGenuine` times as many
    /// distinct impostor pairs drawn uniformly (fewer if the test set has fewer).
    private func writeImagePairs(to path: String, rng: inout SplitMix64) throws -> (Int, Int) {
        let m = faces.imagesPerIdentity
        var lines = ["left,right,label"]
        var genuine = 0
        for id in testIdentities {
            for a in 0..<m {
                for b in (a + 1)..<m {
                    lines.append("\(picture(id, a).path),\(picture(id, b).path),1")
                    genuine += 1
                }
            }
        }
        let t = testIdentities.count
        let possible = t * (t - 1) / 2 * m * m
        let wanted = min(possible, genuine * faces.impostorsPerGenuine)
        var seen = Set<Int>()
        var impostor = 0
        while impostor < wanted {
            var i = rng.index(below: t), j = rng.index(below: t)
            if i == j { continue }
            if i > j { swap(&i, &j) }
            let a = rng.index(below: m), b = rng.index(below: m)
            let key = ((i * t + j) * m + a) * m + b
            if !seen.insert(key).inserted { continue }
            lines.append("\(picture(testIdentities[i], a).path),\(picture(testIdentities[j], b).path),0")
            impostor += 1
        }
        try writeText(lines.joined(separator: "\n") + "\n", to: path)
        return (genuine, impostor)
    }

    /// LFW's 10-fold layout scaled to the data: identities are dealt into min(10, t / 2) folds
    /// (disjoint in identities, as LFW's are), and every fold gets the same number P of same
    /// and different pairs, P = min(300, the fewest genuine pairs any fold can offer).
    private func writeLFWPairs(to path: String, rng: inout SplitMix64) throws -> (Int, Int) {
        let m = faces.imagesPerIdentity
        var order = testIdentities
        for i in stride(from: order.count - 1, to: 0, by: -1) { order.swapAt(i, rng.index(below: i + 1)) }
        let folds = max(1, min(10, order.count / 2))
        var members = [[Int]](repeating: [], count: folds)
        for (k, id) in order.enumerated() { members[k % folds].append(id) }
        members = members.map { $0.sorted() }
        let fewest = members.map { $0.count * m * (m - 1) / 2 }.min()!
        let perFold = min(Self.lfwMaxPairsPerFold, fewest)
        var lines = ["\(folds) \(perFold)"]
        for fold in members {
            var same: [(Int, Int, Int)] = []
            for id in fold { for a in 0..<m { for b in (a + 1)..<m { same.append((id, a, b)) } } }
            for i in stride(from: same.count - 1, to: 0, by: -1) { same.swapAt(i, rng.index(below: i + 1)) }
            for (id, a, b) in same.prefix(perFold).sorted(by: { ($0.0, $0.1, $0.2) < ($1.0, $1.1, $1.2) }) {
                lines.append("\(faces.subject(ofIdentity: id))\t\(a + 1)\t\(b + 1)")
            }
            var different: [(Int, Int, Int, Int)] = []
            var seen = Set<[Int]>()
            while different.count < perFold {
                var i = rng.index(below: fold.count), j = rng.index(below: fold.count)
                if i == j { continue }
                if i > j { swap(&i, &j) }
                let a = rng.index(below: m), b = rng.index(below: m)
                if !seen.insert([i, j, a, b]).inserted { continue }
                different.append((fold[i], a, fold[j], b))
            }
            for (i, a, j, b) in different.sorted(by: { ($0.0, $0.1, $0.2, $0.3) < ($1.0, $1.1, $1.2, $1.3) }) {
                lines.append("\(faces.subject(ofIdentity: i))\t\(a + 1)\t\(faces.subject(ofIdentity: j))\t\(b + 1)")
            }
        }
        try writeText(lines.joined(separator: "\n") + "\n", to: path)
        return (folds, perFold)
    }

    private struct Template {
        var id: Int
        var identity: Int
        var pictures: [SyntheticFaces.Picture]
    }

    /// Templates on the test identities: one gallery template per identity (its first third
    /// of pictures, at least one, never all) alternating between G1 and G2, and one probe
    /// template per remaining media. Template pairs: each probe against its own gallery
    /// (genuine) and against every other gallery, or `impostorsPerProbe` of them drawn at random.
    private func writeProtocols(root: String, rng: inout SplitMix64) throws -> (gallery: Int, probe: Int, genuine: Int, impostor: Int) {
        func file(_ name: String) -> String { (root as NSString).appendingPathComponent(name) }
        let m = faces.imagesPerIdentity
        var galleries: [Template] = [], probes: [Template] = []
        var nextID = 1
        for id in testIdentities {
            let g = min(m - 1, max(1, Int((Double(m) / 3).rounded())))
            galleries.append(Template(id: nextID, identity: id, pictures: (0..<g).map { picture(id, $0) }))
            nextID += 1
        }
        for (k, id) in testIdentities.enumerated() {
            let g = galleries[k].pictures.count
            var current: [SyntheticFaces.Picture] = []
            for i in g..<m {
                let p = picture(id, i)
                if let last = current.last, last.media != p.media {
                    probes.append(Template(id: nextID, identity: id, pictures: current))
                    nextID += 1
                    current = []
                }
                current.append(p)
            }
            probes.append(Template(id: nextID, identity: id, pictures: current))
            nextID += 1
        }
        var galleryOf: [Int: Int] = [:]
        for (k, t) in galleries.enumerated() { galleryOf[t.identity] = k }

        var pairs: [(Int, Int, Int)] = []
        for p in probes {
            let own = galleryOf[p.identity]!
            pairs.append((galleries[own].id, p.id, 1))
            var others = (0..<galleries.count).filter { $0 != own }
            if others.count > Self.impostorsPerProbe {
                for i in 0..<Self.impostorsPerProbe { others.swapAt(i, i + rng.index(below: others.count - i)) }
                others = Array(others.prefix(Self.impostorsPerProbe)).sorted()
            }
            for k in others { pairs.append((galleries[k].id, p.id, 0)) }
        }

        // Official IJB-C layout.
        let header = "TEMPLATE_ID,SUBJECT_ID,FILENAME,MEDIA_ID,SIGHTING_ID,FACE_X,FACE_Y,FACE_WIDTH,FACE_HEIGHT"
        func officialRows(_ ts: [Template]) -> String {
            var s = header + "\n"
            for t in ts {
                for p in t.pictures {
                    let box = faceBox(p)
                    s += "\(t.id),\(p.subject),\(fileName(p)),\(p.media),\(p.identity * m + p.index + 1),\(box.0),\(box.1),\(box.2),\(box.3)\n"
                }
            }
            return s
        }
        try writeText(officialRows(galleries.enumerated().filter { $0.offset % 2 == 0 }.map(\.element)), to: file("ijbc/ijbc_1N_gallery_G1.csv"))
        try writeText(officialRows(galleries.enumerated().filter { $0.offset % 2 == 1 }.map(\.element)), to: file("ijbc/ijbc_1N_gallery_G2.csv"))
        try writeText(officialRows(probes), to: file("ijbc/ijbc_1N_probe_mixed.csv"))
        let matches = pairs.map { "\($0.0),\($0.1)\n" }.joined()
        try writeText(matches, to: file("ijbc/ijbc_11_G1_G2_matches.csv"))

        // The reference's own layout.
        func referenceRows(_ ts: [Template]) -> String {
            var s = "TEMPLATE_ID,SUBJECT_ID,FILENAME,MEDIA_ID\n"
            for t in ts { for p in t.pictures { s += "\(t.id),\(p.subject),\(fileName(p)),\(p.media)\n" } }
            return s
        }
        try writeText(referenceRows(galleries), to: file("reference/enroll_templates.csv"))
        try writeText(referenceRows(probes), to: file("reference/verif_templates.csv"))
        try writeText(matches, to: file("reference/cropped_matches.csv"))

        // InsightFace's meta layout.
        var tidMid = ""
        var records: [LandmarkRecord] = []
        for t in galleries + probes {
            for p in t.pictures {
                tidMid += "\(p.path) \(t.id) \(p.media)\n"
                records.append(landmarkRecord(p))
            }
        }
        try writeText(tidMid, to: file("insightface/ijbc_face_tid_mid.txt"))
        try writeText(pairs.map { "\($0.0) \($0.1) \($0.2)\n" }.joined(), to: file("insightface/ijbc_template_pair_label.txt"))
        try writeText(LandmarkFile.format(records), to: file("insightface/ijbc_name_5pts_score.txt"))

        let genuine = pairs.filter { $0.2 == 1 }.count
        return (galleries.count, probes.count, genuine, pairs.count - genuine)
    }

    /// FILENAME within the subject's folder: the image key `SUBJECT_ID/FILENAME` is then the
    /// picture's path.
    private func fileName(_ p: SyntheticFaces.Picture) -> String {
        String(p.path.split(separator: "/").last!)
    }

    /// An approximate face box (x, y, width, height) around the landmarks: a square of side
    /// 2.6 times the eye-to-mouth distance, centred on the landmarks' mean.
    private func faceBox(_ p: SyntheticFaces.Picture) -> (Int, Int, Int, Int) {
        let l = p.landmarks
        let eyes = (l[0] + l[1]) / 2, mouth = (l[3] + l[4]) / 2
        let d = ((eyes - mouth) * (eyes - mouth)).sum().squareRoot()
        let c = l.reduce(SIMD2<Double>(0, 0), +) / 5
        let side = 2.6 * d
        return (Int((c.x - side / 2).rounded()), Int((c.y - side / 2).rounded()), Int(side.rounded()), Int(side.rounded()))
    }
}
