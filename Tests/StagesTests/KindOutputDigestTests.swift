import Backbone
import Foundation
import XCTest
import Core
import Crypto
@testable import Checkpoint
@testable import Imaging
@testable import Pipeline
@testable import Stages
@testable import Store
@testable import Figures
@testable import Datasets

/// Guards the kind version rule of docs/pipeline.md (Caching): a stage kind's `version` is
/// part of every cache key, so whenever a kind's artifact changes for the same inputs its
/// `version` must be bumped, or artifacts made by the older code are served as fresh.
///
/// The test runs every registered stage kind through the `Runner` on tiny fixed inputs (one
/// pipeline, `pipeline` below), digests each stage's artifact folder and compares the digests
/// of each kind's stages with `expected`, the committed table `kind -> (version, digest)`:
///
/// - same version, other digest: the kind's output changed without a bump. Bump the kind's
///   `version` and update the table entry (the failure message gives the new entry). When
///   every changed stage of a kind also has a changed stage upstream, the message says so:
///   downstream artifacts change with their inputs and get new keys through them, so such a
///   kind needs a bump only if its own code changed too (judge from the diff);
/// - other version: the version was bumped; update the table entry as the message says;
/// - a registered kind missing from the table or without a digest (or a table entry for no
///   kind) fails too, and the pipeline must use every registered kind.
///
/// On any failure the whole new table is printed, ready to paste over `expected`. Setting
/// `SCALEFACE_DIGEST_DUMP=<dir>` writes the canonical text each stage was digested from to
/// `<dir>/<stage>.txt`, so two runs can be diffed to see what changed.
///
/// What the digest covers, per file of the artifact folder (walked in sorted path order; each
/// file contributes its relative path, then its canonical content):
///
/// - `artifact.json` is left out: it is the runner's record (timings, created date, keys),
///   not the kind's output.
/// - Path normalisation, applied to every string: the scratch directory's absolute path
///   becomes `<root>` and every stage's cache key (20 hex digits, which embed the versions of
///   the stage and of everything upstream) becomes `<key>`, so that bumping one kind does not
///   change the digests of the kinds downstream of it.
/// - Also normalised: ISO 8601 timestamps become `<time>`, and the product version in
///   `scaleface 0.1.0` stamps becomes `<version>` (the report's "Made by ... on ..." line).
/// - Numbers are digested rounded to 4 significant digits (`%.4g`; integral values exactly,
///   `-0` as `0`). Float results come from OpenBLAS, whose kernels differ from CPU to CPU in
///   summation order, so the last bits of a float differ between machines; 4 digits absorb
///   that for the values of JSON, CSV and text files, which are few.
/// - Float arrays of binary files (`.npy`, HDF5 datasets, checkpoint tensors) with more than
///   16 values are digested by a summary instead of value by value, since thousands of values
///   each rounded to 4 digits make a boundary crossing on another CPU near certain (measured:
///   the trained embedding layer and PFE head flipped under another OpenBLAS kernel). The summary is the count, the
///   RMS (4 significant digits), and in thousandths the mean and four fixed random-sign sums
///   (`sum(+-x) / (rms * sqrt(n))`), each of order 1: a change of one value by more than about
///   1e-3 of the array's norm shows (changes of many values show unless they cancel). Arrays of up to 16 values are digested
///   value by value. In both, magnitudes below 1e-6 count as 0 (float32 round-off of
///   quantities that are 0 in exact arithmetic).
/// - Residual risk: (a) a rounded quantity that lies within noise of a rounding boundary can
///   still round differently on another CPU and flip the digest there: check that the change
///   is noise (`SCALEFACE_DIGEST_DUMP` on both machines, then diff), and refresh the table
///   without a bump. Measured on the machine the table was made on: with
///   `OPENBLAS_CORETYPE=Sandybridge`, `Haswell`, `Nehalem` and `Zen` (other kernels than the
///   one OpenBLAS picks there) every digest is unchanged. That needed the PFE head to train
///   at lr 1e-6: at 1e-3 and 1e-4 its scalar `gamma` and its `bn1.bias` (values ~1e-6) are
///   set mostly by round-off and differed in the 4th digit under every other kernel. At 1e-6
///   the PFE digest still covers its initialisation, forward pass, BatchNorm statistics and
///   the update of `beta`; the scale head and embedding layer train at their usual rates.
///   (b) Changes smaller than the rounding go unnoticed: below 1 part in 10^4 of a
///   JSON/CSV/text value, or below about 1e-3 of the norm of a long binary array.
/// - JSON (`.json`): parsed and re-serialised with sorted keys, numbers rounded, strings
///   path-normalised.
/// - Text (`.csv`, `.txt`, `.html`, `.md` and any other UTF-8 file): path-normalised, every
///   decimal or exponent number literal rounded (integers such as counts, ids and file-name
///   digits are kept as written). HTML is digested as its full text: markup, links and tables.
/// - `.npy`: dtype, shape and values (floats as above, integers exact), via `Store.NpyFile`.
/// - HDF5 (`.h5`, read with `Store.HDF5File`): every group and dataset by name, each
///   dataset's element type, shape and values (floats as above, integers exact, strings
///   path-normalised), and every attribute (string or integer) except the store's `created` and the resume bookkeeping `run_*` (its thread count is the machine's)
///   timestamp.
/// - PyTorch checkpoints (`.pth`): the tensors `WeightsFile.load` reads, by name, with shape
///   and values as above (the zip's bytes hold nothing else the heads stage reads).
/// - PNG/JPEG pictures under `images/` or `aligned/` (the faces `synth` draws and `align`
///   crops, no text in them): decoded width, height and the mean and standard deviation of
///   each channel, rounded. Other PNGs are figures with text drawn in whatever fonts the
///   machine has: only their decoded width and height (the numbers they show are covered by
///   the JSON/CSV beside them).
/// - Anything else (binary): the SHA-256 of its bytes.
/// - Symbolic links: their normalised target.
final class KindOutputDigestTests: XCTestCase {
    /// kind -> (version, digest): the digest lists each stage of that kind in `pipeline` as
    /// `stage=<first 12 hex digits of the SHA-256 of its artifact's canonical text>`.
    static let expected: [String: (version: Int, digest: String)] = [
        "align": (1, "aligned=69f08235c440"),
        "distribution": (1, "distribution=33d303154621"),
        "embed": (1, "features=97cabba094ec"),
        "fusion": (3, "fusion=9f928885f84d"),
        "heads": (1, "embeddings=f5897057223c store=9780d821ec5a"),
        "import": (1, "imported=6ea55e2e0663"),
        "init-weights": (1, "trunk=4fa3d1eaa646"),
        "reject": (2, "reject_bootstrap=1d476e2fe99a reject_edc=78dd58d2e99d reject_random=53b0275f287c reject_scale=b8d7c8f1bfcd"),
        "report": (6, "report=74c1add4a891"),
        "scorecard": (1, "scorecard=223bfc3120ef"),
        "synth": (4, "data=e4cc9210e67b"),
        "synth-embeddings": (1, "vectors=28e0741753c7"),
        "train-head": (2, "embedding_layer=cc6bdba05f5f pfe_head=1ba86b8e56cd scale_head=4ec9a3ecb553"),
    ]

    /// Every kind on tiny inputs: train-head as embedding layer, scale and PFE head; reject
    /// for tar curves, an EDC curve and with bootstrap; import of synthetic embeddings.
    static let pipeline = """
    name: digests
    outputs: out
    cache: out/cache
    stages:
      data:
        kind: synth
        params: {identities: 8, images_per_identity: 4, seed: 5, test_fraction: 0.5, size: 32, raw_size: 48}
      aligned:
        kind: align
        inputs: {images: data}
        params: {size: 24}
      trunk:
        kind: init-weights
        params: {arch: iresnet18, widths: "4,4,8,8", input_size: 32, embedding_size: 8, seed: 2}
      features:
        kind: embed
        inputs: {images: data, model: trunk}
        params: {images: images, landmarks: landmarks.txt, labels: labels.npy, arch: iresnet18, input_size: 32,
                 keep_bottleneck: true, strategies: [emb_norm], batch: 8}
      embedding_layer:
        kind: train-head
        inputs: {store: features, split: data}
        params: {kind: embedding, subset: splits/train_a.txt, epochs: 2, batch: 6, lr: 0.05, whiten: 8, embedding_size: 8}
      embeddings:
        kind: heads
        inputs: {store: features, head: embedding_layer}
        params: {embedding_layer: true, strategies: [emb_norm]}
      scale_head:
        kind: train-head
        inputs: {store: embeddings, split: data, centers: embedding_layer}
        params: {kind: scale, subset: splits/train_b.txt, epochs: 2, batch: 6, lr: 0.0003}
      pfe_head:
        # lr 1e-6: at higher rates round-off sets some of its values (see "Residual risk").
        kind: train-head
        inputs: {store: embeddings, split: data}
        params: {kind: pfe, subset: splits/train_b.txt, epochs: 2, batch: 6, lr: 0.000001, seed: 4}
      store:
        kind: heads
        inputs: {store: embeddings, head: scale_head, head2: pfe_head}
        params: {strategies: [scale, head]}
      reject_scale:
        kind: reject
        inputs: {store: store, pairs: data}
        params: {strategy: scale, metrics: [cosine_mul, cosine_mean], fars: [0.1], portions: "0:0.5:6"}
      reject_edc:
        kind: reject
        inputs: {store: store, pairs: data}
        params: {strategy: scale, metrics: [cosine_mul], fars: [0.1], portions: "0:0.5:6", curve: edc}
      reject_bootstrap:
        kind: reject
        inputs: {store: store, pairs: data}
        params: {strategy: head, metrics: [cosine_mean], fars: [0.1], portions: "0:0.5:6", bootstrap: 4, seed: 3}
      reject_random:
        kind: reject
        inputs: {store: store, pairs: data}
        params: {strategy: random, metrics: [cosine_mul], fars: [0.1], portions: "0:0.5:6", seed: 1}
      fusion:
        kind: fusion
        inputs: {store: store, protocol: data}
        params: {strategy: scale, fusions: [mean_cosine, weighted_cosine], reject_metrics: [mean_cosine_mul],
                 fars: [0.1], portions: "0:0.5:6"}
      scorecard:
        kind: scorecard
        inputs: {reject_scale: reject_scale, reject_random: reject_random, store: store, covariates: data}
        params: {far: 0.1, metric: cosine_mul, method: reject_scale, baseline: reject_random, subset: splits/test.txt}
      distribution:
        kind: distribution
        inputs: {store: store, images: data}
        params: {bins: 10}
      report:
        kind: report
        inputs: {scorecard: scorecard, reject: reject_scale, fusion: fusion, distribution: distribution, scale_head: scale_head}
      vectors:
        kind: synth-embeddings
        params: {identities: 6, images_per_identity: 3, dimension: 8, seed: 4}
      imported:
        kind: import
        inputs: {data: vectors}
        params: {uncertainty: ["scale=confidence.npy:confidence"], labels: labels.npy, model: synthetic}
    """

    func testEveryKindsOutputMatchesItsRecordedDigestAndVersion() throws {
        let dir = try TestSupport.scratchDirectory(self)
        let path = dir.appendingPathComponent("digests.yaml").path
        try Self.pipeline.write(toFile: path, atomically: true, encoding: .utf8)
        var runner = Runner(pipeline: try PipelineFile.load(path), registry: StageRegistry.kinds)
        runner.quiet = true
        let plans = try runner.plan()
        try runner.run()

        // Every registered kind is exercised, and the table names exactly the registered kinds.
        let registered = Set(StageRegistry.kinds.keys)
        XCTAssertEqual(Set(plans.map { $0.record.kind }), registered, "the pipeline must run every registered kind")

        var normaliser = Normaliser(root: dir.resolvingSymlinksInPath().path, keys: plans.map(\.key))
        normaliser.alsoRoot = dir.path
        let dump = ProcessInfo.processInfo.environment["SCALEFACE_DIGEST_DUMP"].map { URL(fileURLWithPath: $0) }
        if let dump { try FileManager.default.createDirectory(at: dump, withIntermediateDirectories: true) }

        // A kind's digest lists its stages' digests (`stage=digest`, sorted by stage name), so
        // that a failure can tell which stage changed and whether something upstream changed too.
        var stageDigest: [String: String] = [:]
        for p in plans {
            let artifact = runner.artifactDirectory(p.name, p.key)
            let text = try ArtifactDigest.canonicalText(of: artifact, normaliser)
            if let dump { try text.write(to: dump.appendingPathComponent("\(p.name).txt"), atomically: true, encoding: .utf8) }
            stageDigest[p.name] = String(SHA256.hash(data: Data(text.utf8)).map { String(format: "%02x", $0) }.joined().prefix(12))
        }
        let stagesOfKind = Dictionary(grouping: plans, by: { $0.record.kind }).mapValues { $0.map(\.name).sorted() }
        var actual: [String: (version: Int, digest: String)] = [:]
        for (kind, stages) in stagesOfKind {
            actual[kind] = (StageRegistry.kinds[kind]!.version, stages.map { "\($0)=\(stageDigest[$0]!)" }.joined(separator: " "))
        }
        func recorded(_ kind: String) -> [String: String] {
            var out: [String: String] = [:]
            for item in (Self.expected[kind]?.digest ?? "").split(separator: " ") {
                let parts = item.split(separator: "=", maxSplits: 1).map(String.init)
                if parts.count == 2 { out[parts[0]] = parts[1] }
            }
            return out
        }
        let changedStages = Set(plans.map(\.name).filter { name in
            let kind = plans.first { $0.name == name }!.record.kind
            return Self.expected[kind].map { !$0.digest.isEmpty && $0.version == actual[kind]!.version } == true
                && recorded(kind)[name] != stageDigest[name]
        })
        let inputsOf = Dictionary(uniqueKeysWithValues: plans.map { ($0.name, Set($0.inputs.values)) })
        func changedUpstream(_ stage: String) -> Set<String> {
            var seen: Set<String> = [], todo = Array(inputsOf[stage] ?? [])
            while let s = todo.popLast() {
                if seen.insert(s).inserted { todo += inputsOf[s] ?? [] }
            }
            return seen.intersection(changedStages)
        }

        var problems: [String] = []
        var keepVersion: Set<String> = []
        for kind in registered.union(Self.expected.keys).sorted() {
            let typeName = StageRegistry.kinds[kind].map { String(describing: $0) } ?? "?"
            guard let now = actual[kind] else {
                problems.append("kind '\(kind)' is in the table but is not a registered kind: remove its entry")
                continue
            }
            guard let old = Self.expected[kind], !old.digest.isEmpty else {
                problems.append("kind '\(kind)' (version \(now.version)) has no recorded digest: set its entry to (\(now.version), \"\(now.digest)\")")
                continue
            }
            if old.version != now.version {
                problems.append("kind '\(kind)': \(typeName).version is \(now.version) but the table records version \(old.version): update this table's entry to (\(now.version), \"\(now.digest)\")")
                continue
            }
            guard old.digest != now.digest else { continue }
            let changed = stagesOfKind[kind]!.filter(changedStages.contains)
            let upstream = changed.map(changedUpstream)
            if !changed.isEmpty, upstream.allSatisfy({ !$0.isEmpty }) {
                keepVersion.insert(kind)
                problems.append("kind '\(kind)' (version \(now.version)): the output of \(changed.joined(separator: ", ")) changed, and so did its inputs (\(Set(upstream.joined()).sorted().joined(separator: ", "))). If \(typeName)'s own code did not change, its new keys come from its inputs: update this table's entry to (\(now.version), \"\(now.digest)\"); if it did change, bump \(typeName).version and update this table to (\(now.version + 1), \"\(now.digest)\")")
            } else {
                let what = changed.isEmpty ? "its stages changed" : "its output changed (\(changed.joined(separator: ", ")))"
                problems.append("kind '\(kind)' (version \(now.version)): \(what); bump \(typeName).version and update this table to (\(now.version + 1), \"\(now.digest)\")")
            }
        }
        if !problems.isEmpty {
            let table = actual.keys.sorted().map { k in
                let v = actual[k]!
                let bump = Self.expected[k].map { !$0.digest.isEmpty && $0.version == v.version && $0.digest != v.digest } == true
                    && !keepVersion.contains(k)
                return "        \"\(k)\": (\(bump ? v.version + 1 : v.version), \"\(v.digest)\"),"
            }.joined(separator: "\n")
            XCTFail(problems.joined(separator: "\n") + "\n\nThe new table (with the bumps named above):\n    static let expected: [String: (version: Int, digest: String)] = [\n\(table)\n    ]")
        }
    }
}

/// Rewrites strings so that they hold no absolute scratch path and no cache key.
private struct Normaliser {
    var root: String
    var keys: [String]
    var alsoRoot: String?

    func path(_ s: String) -> String {
        var out = s
        for r in [root, alsoRoot].compactMap({ $0 }).sorted(by: { $0.count > $1.count }) where !r.isEmpty {
            out = out.replacingOccurrences(of: r, with: "<root>")
        }
        for k in keys where out.contains(k) { out = out.replacingOccurrences(of: k, with: "<key>") }
        out = out.replacingOccurrences(of: "scaleface \(scalefaceVersion)", with: "scaleface <version>")
        let range = NSRange(location: 0, length: (out as NSString).length)
        return Self.timePattern.stringByReplacingMatches(in: out, range: range, withTemplate: "<time>")
    }

    static let timePattern = try! NSRegularExpression(
        pattern: #"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:?\d{2})?"#)

    static let numberPattern = try! NSRegularExpression(
        pattern: #"(?<![\w.])-?(?:\d+\.\d+(?:[eE][-+]?\d+)?|\d+[eE][-+]?\d+)(?![\w.])"#)

    /// Path-normalised text with every decimal or exponent number rounded.
    func text(_ s: String) -> String {
        let t = path(s) as NSString
        var out = ""
        var last = 0
        for m in Self.numberPattern.matches(in: t as String, range: NSRange(location: 0, length: t.length)) {
            out += t.substring(with: NSRange(location: last, length: m.range.location - last))
            out += Self.number(Double(t.substring(with: m.range)) ?? .nan)
            last = m.range.location + m.range.length
        }
        out += t.substring(from: last)
        return out
    }

    /// 4 significant digits; integral values exactly; -0 as 0.
    static func number(_ x: Double) -> String {
        if x.isNaN { return "nan" }
        if x.isInfinite { return x > 0 ? "inf" : "-inf" }
        if x == x.rounded(), abs(x) < 1e15 { return String(Int64(x)) }
        let s = String(format: "%.4g", x)
        return s == "-0" ? "0" : s
    }
}

/// The canonical text of an artifact folder, from which its digest is computed (rules in the
/// doc comment of `KindOutputDigestTests`).
private enum ArtifactDigest {
    static func canonicalText(of dir: URL, _ n: Normaliser) throws -> String {
        let fm = FileManager.default
        var files: [String] = []
        guard let walker = fm.enumerator(atPath: dir.path) else { return "" }
        while let rel = walker.nextObject() as? String { files.append(rel) }
        var out = ""
        for rel in files.sorted() where rel != ArtifactRecord.fileName {
            let url = dir.appendingPathComponent(rel)
            let attributes = try fm.attributesOfItem(atPath: url.path)
            let type = attributes[.type] as? FileAttributeType
            if type == .typeDirectory { out += "dir \(rel)\n"; continue }
            if type == .typeSymbolicLink {
                out += "link \(rel) -> \(n.path(try fm.destinationOfSymbolicLink(atPath: url.path)))\n"
                continue
            }
            out += "file \(rel)\n" + (try content(url, rel, n)) + "\n"
        }
        return out
    }

    static func content(_ url: URL, _ rel: String, _ n: Normaliser) throws -> String {
        let ext = url.pathExtension.lowercased()
        let parts = rel.split(separator: "/")
        switch ext {
        case "json":
            let object = try JSONSerialization.jsonObject(with: Data(contentsOf: url), options: [.fragmentsAllowed])
            return json(object, n)
        case "npy":
            return try npy(url.path)
        case "h5":
            return try hdf5(url.path, n)
        case "pth":
            let weights = try WeightsFile.load(path: url.path)
            return weights.names.map { name in
                let t = weights[name]!
                return "tensor \(name) \(t.shape) " + floats(t.values)
            }.joined(separator: "\n")
        case "png", "jpg", "jpeg":
            let image = try RGBImage.decode(path: url.path)
            var s = "image \(image.width)x\(image.height)"
            if parts.contains("images") || parts.contains("aligned") { s += " " + pixelStatistics(image) }
            return s
        default:
            let data = try Data(contentsOf: url)
            if let s = String(data: data, encoding: .utf8) { return n.text(s) }
            var h = SHA256()
            h.update(data: data)
            return "bytes " + h.finalize().map { String(format: "%02x", $0) }.joined()
        }
    }

    static func json(_ v: Any, _ n: Normaliser) -> String {
        switch v {
        case let d as [String: Any]:
            return "{" + d.keys.sorted().map { "\(n.path($0)):\(json(d[$0]!, n))" }.joined(separator: ",") + "}"
        case let a as [Any]:
            return "[" + a.map { json($0, n) }.joined(separator: ",") + "]"
        case let s as String:
            return "\"" + n.path(s) + "\""
        case let x as NSNumber:
            if String(describing: type(of: x)).contains("Boolean") { return x.boolValue ? "true" : "false" }
            return Normaliser.number(x.doubleValue)
        case is NSNull:
            return "null"
        default:
            return "?\(type(of: v))"
        }
    }

    /// A float array: up to 16 values each rounded; longer arrays by a summary (see the rules).
    static func floats<S: Collection>(_ values: S) -> String where S.Element: BinaryFloatingPoint {
        // Magnitudes below 1e-6 are float32 round-off of quantities that are 0 in exact arithmetic.
        let v = values.map { abs(Double($0)) < 1e-6 ? 0 : Double($0) }
        if v.count <= 16 { return v.map(Normaliser.number).joined(separator: " ") }
        let n = Double(v.count)
        let rms = (v.reduce(0) { $0 + $1 * $1 } / n).squareRoot()
        guard rms > 0, rms.isFinite else { return "n=\(v.count) rms=\(Normaliser.number(rms))" }
        /// A value of order 1, to 3 decimals (as an integer, so that -0 cannot appear).
        func unit(_ x: Double) -> String { String(Int((x * 1000).rounded())) }
        var probes = [Double](repeating: 0, count: 4)
        for (i, x) in v.enumerated() {
            var h = UInt64(i) &* 0x9E37_79B9_7F4A_7C15
            h = (h ^ (h >> 31)) &* 0xBF58_476D_1CE4_E5B9
            h ^= h >> 29
            for k in 0..<4 { probes[k] += (h >> (8 * UInt64(k)) & 1 == 0) ? x : -x }
        }
        let norm = rms * n.squareRoot()
        return "n=\(v.count) rms=\(Normaliser.number(rms)) mean/rms=\(unit(v.reduce(0, +) / n / rms)) probes=" + probes.map { unit($0 / norm) }.joined(separator: ",")
    }

    static func npy(_ path: String) throws -> String {
        let header = try NpyFile.header(path)
        let head = "npy \(header.dtype.rawValue) \(header.shape) "
        if header.dtype.isFloat { return head + floats(try NpyFile.readFloats(path).values) }
        return head + (try NpyFile.readInt64(path).values.map(String.init).joined(separator: " "))
    }

    static func hdf5(_ path: String, _ n: Normaliser) throws -> String {
        let file = try HDF5File.open(path)
        var out = ""
        func attributes(_ names: [String], _ string: (String) throws -> String?, _ int: (String) throws -> Int64?) {
            for a in names.sorted() where a != "created" && !a.hasPrefix("run_") {
                if let s = try? string(a) { out += "  attr \(a)=\"\(n.path(s))\"\n" }
                else if let i = try? int(a) { out += "  attr \(a)=\(i)\n" }
                else { out += "  attr \(a) (not a string or integer)\n" }
            }
        }
        func walk(_ group: HDF5Group, _ prefix: String) throws {
            out += "group \(prefix.isEmpty ? "/" : prefix)\n"
            attributes(try group.attributeNames(), group.stringAttribute, group.intAttribute)
            for child in try group.childNames() {
                let name = prefix + "/" + child
                if let sub = try? group.group(child), (try? sub.childNames()) != nil {
                    try walk(sub, name)
                    continue
                }
                let d = try group.dataset(child)
                out += "dataset \(name) \(d.elementType) \(d.shape)\n"
                attributes(try d.attributeNames(), d.stringAttribute, d.intAttribute)
                switch d.elementType {
                case .string: out += "  " + (try d.readStrings()).map { "\"\(n.path($0))\"" }.joined(separator: " ") + "\n"
                case .float16, .float32, .float64: out += "  " + floats(try d.readFloats()) + "\n"
                default: out += "  " + (try d.readInt64()).map(String.init).joined(separator: " ") + "\n"
                }
            }
        }
        try walk(file.root, "")
        return out
    }

    /// Per-channel mean and standard deviation, rounded: a content summary of a picture that
    /// does not flip when a few pixels round one level differently.
    static func pixelStatistics(_ image: RGBImage) -> String {
        var sum = [Double](repeating: 0, count: 3), sq = [Double](repeating: 0, count: 3)
        for (i, p) in image.pixels.enumerated() {
            let v = Double(p)
            sum[i % 3] += v
            sq[i % 3] += v * v
        }
        let count = Double(image.width * image.height)
        return (0..<3).map { c in
            let mean = sum[c] / count
            let sd = (max(0, sq[c] / count - mean * mean)).squareRoot()
            return "c\(c) mean \(Normaliser.number(mean)) sd \(Normaliser.number(sd))"
        }.joined(separator: " ")
    }
}
