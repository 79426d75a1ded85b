import Foundation
import XCTest
@testable import Backbone
import Core
@testable import Checkpoint

/// The four heads of the `head` section against PyTorch (tools/parity/heads_fixtures.py,
/// written from docs/strategies.md, "Heads"): small heads loaded from committed checkpoints,
/// the shipped 25088 -> 512 geometry from SplitMix64 seed weights, and the recognition of the
/// head kind from keys and shapes, with bad layouts refused by name.
final class HeadParityTests: XCTestCase {
    static let fixtures = Fixtures(directory: Fixtures.committed.appendingPathComponent("heads"))

    struct SmallCase: Decodable {
        let name: String, kind: String, checkpoint: String, section: String?
        let log_sigma_sq: Fixtures.Array, sigma_sq: Fixtures.Array
    }
    struct Small: Decodable { let `in`: Int; let hidden: Int; let rows: Int; let features: Fixtures.Array; let cases: [SmallCase] }
    struct Seeded: Decodable { let name: String; let shape: [Int]; let offset: Double; let amplitude: Double }
    struct FullCase: Decodable {
        let name: String, seed: UInt64, gamma: Float, beta: Float, tensors: [Seeded], sigma_sq: Fixtures.Array
        let uv: [String: Fixtures.Array]
        enum CodingKeys: String, CodingKey { case name, seed, gamma, beta, tensors, sigma_sq }
        init(from decoder: Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            (name, seed, gamma, beta) = (try c.decode(String.self, forKey: .name), try c.decode(UInt64.self, forKey: .seed),
                                         try c.decode(Float.self, forKey: .gamma), try c.decode(Float.self, forKey: .beta))
            (tensors, sigma_sq) = (try c.decode([Seeded].self, forKey: .tensors), try c.decode(Fixtures.Array.self, forKey: .sigma_sq))
            // The spectral head's weight_u / weight_v, committed beside the manifest.
            let any = try decoder.container(keyedBy: AnyKey.self)
            var uv: [String: Fixtures.Array] = [:]
            for k in any.allKeys where k.stringValue.contains(".weight_") { uv[k.stringValue] = try any.decode(Fixtures.Array.self, forKey: k) }
            self.uv = uv
        }
    }
    struct AnyKey: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init?(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }
    struct Full: Decodable { let `in`: Int; let out: Int; let rows: Int; let feature_seed: UInt64; let cases: [FullCase] }

    func json<T: Decodable>(_ name: String) throws -> T {
        try JSONDecoder().decode(T.self, from: Data(contentsOf: Self.fixtures.directory.appendingPathComponent(name)))
    }

    func load(_ c: SmallCase) throws -> (weights: WeightSet, prefix: String) {
        let file = try Checkpoint.load(path: Self.fixtures.path(c.checkpoint))
        guard let section = c.section else { return (file, "") }
        return (file.section(section), section)
    }

    func testFourSmallHeadsMatchPyTorch() throws {
        let s: Small = try json("small.json")
        let x = try Self.fixtures.floats(s.features)
        XCTAssertEqual(Set(s.cases.map(\.kind)), Set(HeadKind.allCases.map(\.rawValue)))
        for c in s.cases {
            let (weights, prefix) = try load(c)
            let head = try VarianceHead(weights: weights, prefix: prefix)
            XCTAssertEqual(head.kind.rawValue, c.kind, c.name)
            XCTAssertEqual(head.inFeatures, s.in, c.name)
            XCTAssertEqual(head.outFeatures, c.kind == "prob_head" ? 1 : s.hidden, c.name)
            assertParity(head.logSigmaSq(x, rows: s.rows), try Self.fixtures.floats(c.log_sigma_sq), "\(c.name) log sigma^2")
            assertParity(head.sigmaSq(x, rows: s.rows), try Self.fixtures.floats(c.sigma_sq), "\(c.name) sigma^2")
            // Rows are independent (eval-mode BatchNorm): row 3 alone gives row 3.
            let width = head.outFeatures
            assertParity(head.sigmaSq(Array(x[(3 * s.in)..<(4 * s.in)]), rows: 1),
                         Array(try Self.fixtures.floats(c.sigma_sq)[(3 * width)..<(4 * width)]), "\(c.name) row 3 alone")
        }
    }

    /// `offset + amplitude * (j - 2^23) / 2^23` with `j = next() >> 40` of `SplitMix64.stream(seed, k)`.
    static func seeded(seed: UInt64, k: Int, count: Int, offset: Double, amplitude: Double) -> [Float] {
        var g = SplitMix64.stream(seed, UInt64(k))
        return (0..<count).map { _ in Float(offset + amplitude * (Double(Int64(g.next() >> 40) - (1 << 23)) / 0x1p23)) }
    }

    func testShippedGeometryFromSeedWeightsMatchesPyTorch() throws {
        let f: Full = try json("full.json")
        XCTAssertEqual([f.in, f.out], [25088, 512])
        let x = (0..<f.rows).flatMap { Self.seeded(seed: f.feature_seed, k: $0, count: f.in, offset: 0, amplitude: 1) }
        XCTAssertEqual(Set(f.cases.map(\.name)), ["pfe_head_adjustable", "prob_head", "pfe_head_adjustable_spectral"])
        for c in f.cases {
            var w = WeightSet(source: "seed \(c.seed)")
            for (k, t) in c.tensors.enumerated() {
                w.set(t.name, Tensor(shape: t.shape, values: Self.seeded(seed: c.seed, k: k, count: t.shape.reduce(1, *),
                                                                         offset: t.offset, amplitude: t.amplitude)))
            }
            for (name, a) in c.uv { w.set(name, Tensor(shape: a.shape, values: try Self.fixtures.floats(a))) }
            w.set("gamma", Tensor(shape: [1], values: [c.gamma]))
            w.set("beta", Tensor(shape: [1], values: [c.beta]))
            let head = try VarianceHead(weights: w)
            XCTAssertEqual(head.kind.rawValue, c.name)
            XCTAssertEqual(head.inFeatures, 25088)
            assertParity(head.sigmaSq(x, rows: f.rows), try Self.fixtures.floats(c.sigma_sq), "\(c.name) at 25088 -> 512")
        }
    }

    /// σ = u·(W v) with the stored vectors, by hand: W = [[3, 0], [0, 1]], u = (0.6, 0.8),
    /// v = (0.8, 0.6) gives 0.6·2.4 + 0.8·0.6 = 1.92 (the spectral norm is 3).
    func testSpectralSigmaUsesTheStoredVectors() {
        XCTAssertEqual(SpectralNorm.sigma(weight: [3, 0, 0, 1], u: [0.6, 0.8], v: [0.8, 0.6]), 1.92, accuracy: 1e-6)
        let w = SpectralNorm.weight(original: [3, 0, 0, 1], u: [0.6, 0.8], v: [0.8, 0.6])
        for (a, e) in zip(w, [3 / 1.92, 0, 0, 1 / 1.92]) { XCTAssertEqual(Double(a), e, accuracy: 1e-6) }
    }

    func smallWeights(_ kind: String) throws -> WeightSet {
        let s: Small = try json("small.json")
        return try load(s.cases.first { $0.kind == kind }!).weights
    }

    func testKindIsRecognisedFromKeysAndShapes() throws {
        for kind in HeadKind.allCases {
            XCTAssertEqual(try HeadKind.recognise(try smallWeights(kind.rawValue)), kind)
        }
        // ProbHead and PFEHead share their key names; fc2's single row makes it ProbHead.
        let prob = try smallWeights("prob_head")
        XCTAssertEqual(prob["fc2.weight"]?.shape, [1, 16])
        XCTAssertEqual(prob["bn2.running_mean"]?.shape, [1])
        XCTAssertEqual(try VarianceHead(weights: prob).kind, .prob)
        // A config's head.name must agree with the keys.
        XCTAssertEqual(try HeadKind.recognise(try smallWeights("pfe_head"), expected: .pfe), .pfe)
        expect(try HeadKind.recognise(prob, prefix: "head", expected: .pfeAdjustable),
               "head.fc1.weight makes the head a prob_head (ProbHead), but pfe_head_adjustable was asked for")
        expect(try HeadKind.recognise(try smallWeights("pfe_head_adjustable"), expected: .pfeAdjustableSpectral),
               "fc1 makes the head a pfe_head_adjustable (PFEHeadAdjustable), but pfe_head_adjustable_spectral was asked for")
    }

    func expect<T>(_ body: @autoclosure () throws -> T, _ message: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try body(), file: file, line: line) { e in
            let text = "\(e)"
            XCTAssertTrue(text.contains(message), text, file: file, line: line)
            XCTAssertFalse(text.contains("\n"), "one line: \(text)", file: file, line: line)
        }
    }

    func testBadLayoutsAreRefusedByName() throws {
        let adjustable = try smallWeights("pfe_head_adjustable"), prob = try smallWeights("prob_head")
        let spectral = try smallWeights("pfe_head_adjustable_spectral")
        var w = adjustable
        w.set("fc1.weight", Tensor(shape: [16, 96], values: [Float](repeating: 0, count: 16 * 96)))
        expect(try VarianceHead(weights: w, prefix: "head"), "ambiguous head layout: head.fc1 and head.fc1.weight are both present")
        w = adjustable
        w.set("fc2.weight", adjustable["fc2"]!)
        w.remove("fc2")
        expect(try VarianceHead(weights: w, prefix: "head"), "inconsistent head layout: head.fc1 needs head.fc2, found head.fc2.weight")
        w = prob
        w.set("fc1.weight", Tensor(shape: [96], values: [Float](repeating: 0, count: 96)))
        expect(try VarianceHead(weights: w, prefix: "head"), "head.fc1.weight is [96], expected a 2-D [out, in] matrix")
        // A ProbHead whose bn2 has the PFE width is named, not loaded as either.
        w = prob
        w.set("bn2.running_mean", Tensor(shape: [16], values: [Float](repeating: 0, count: 16)))
        expect(try VarianceHead(weights: w, prefix: "head"),
               "does not fit a ProbHead (prob_head): mis-shaped keys: head.bn2.running_mean is [16], expected [1]")
        w = spectral
        w.remove("fc1.weight_u")
        w.set("fc2.weight_v", Tensor(shape: [15], values: [Float](repeating: 0, count: 15)))
        expect(try VarianceHead(weights: w, prefix: "head"),
               "missing keys: head.fc1.weight_u; mis-shaped keys: head.fc2.weight_v is [15], expected [16]")
        expect(try VarianceHead(weights: WeightSet(source: "empty.pth"), prefix: "head"),
               "checkpoint empty.pth: no uncertainty head: expected head.fc1 (pfe_head_adjustable), head.fc1.weight (pfe_head, prob_head) or head.fc1.weight_orig (pfe_head_adjustable_spectral)")
        w = prob
        w.set("extra", Tensor(shape: [1], values: [0]))
        expect(try VarianceHead(weights: w), "unexpected keys: extra")
    }
}
