import Foundation
import XCTest
@testable import Stages
import Core
import Backbone
import Store
@testable import Pipeline

/// Reference model configs (docs/model-configs.md) against Tests/Fixtures/model_configs/table.json,
/// which tools/parity/reference_model_configs.py wrote by running the reference's own
/// `get_required_models` on every shipped config: each one loads with exactly the values the
/// reference builds, or is refused with an error naming the offending key.
final class ReferenceModelConfigTests: XCTestCase {
    static let folder = TestSupport.repoRoot.appendingPathComponent("Tests/Fixtures/model_configs")
    static let checkpoints = TestSupport.repoRoot.appendingPathComponent("Tests/BackboneTests/Fixtures")

    struct Table: Decodable {
        struct StateDicts: Decodable {
            var kind: String?
            var name: String?
            var state_dict: [String: [Int]]
        }
        struct Scale: Decodable {
            var num_feats: [Int]
            var batch_norm_layers: Int
            var activation: String
            var coefficient: Double
            var state_dict: [String: [Int]]
        }
        struct Expected: Decodable {
            struct Loaded: Decodable {
                var arch: String
                var head: String?
                var activation: String?
                var coefficient: Double?
                var num_feats: [Int]?
                var batch_norm_layers: Int?
                var pair_classifier: String?
            }
            var loaded: Loaded?
            var refused: String?
            var key: String?
        }
        struct Row: Decodable {
            var file: String
            var fixture: String
            var strategy: String
            var head: StateDicts?
            var scale_predictor: Scale?
            var pair_classifier: StateDicts?
            var expected: Expected
        }
        var configs: [Row]
    }

    static func sections(_ strategy: String) -> Set<ReferenceModelConfig.Section> {
        switch strategy {
        case "scale": return [.scalePredictor]
        case "head": return [.head]
        case "classifier": return [.pairClassifier, .head]
        default: return []
        }
    }

    func shapes(_ list: [(name: String, shape: [Int])]) -> [String: [Int]] {
        Dictionary(uniqueKeysWithValues: list.map { ($0.name, $0.shape) })
    }

    func referenceShapes(_ d: [String: [Int]]) -> [String: [Int]] { d.filter { !$0.key.hasSuffix("num_batches_tracked") } }

    func testEveryShippedConfigLoadsOrIsRefusedAsTheTableSays() throws {
        let data = try Data(contentsOf: Self.folder.appendingPathComponent("table.json"))
        let table = try JSONDecoder().decode(Table.self, from: data)
        XCTAssertEqual(table.configs.count, 36)
        XCTAssertEqual(table.configs.filter { $0.file.hasPrefix("configs/models/") }.count, 14)
        var refused: [String] = []
        for row in table.configs {
            let path = Self.folder.appendingPathComponent(row.fixture).path
            if let e = row.expected.loaded {
                let c: ReferenceModelConfig
                do { c = try ReferenceModelConfig.load(path, sections: Self.sections(row.strategy)) } catch {
                    XCTFail("\(row.file): refused: \(error)"); continue
                }
                XCTAssertEqual(c.backbone.arch, e.arch, row.file)
                XCTAssertEqual(c.head?.kind.rawValue, e.head, row.file)
                XCTAssertEqual(c.scalePredictor?.activation.rawValue, e.activation, row.file)
                XCTAssertEqual(c.scalePredictor.map { Double($0.coefficient) }, e.coefficient, row.file)
                XCTAssertEqual(c.scalePredictor?.numFeats, e.num_feats, row.file)
                XCTAssertEqual(c.scalePredictor.map { $0.batchNorm ? $0.numFeats.count - 2 : 0 }, e.batch_norm_layers, row.file)
                XCTAssertEqual(c.pairClassifier?.kind.rawValue, e.pair_classifier, row.file)
                // The tensors a checkpoint must hold are those of the modules the reference built.
                if let h = row.head { XCTAssertEqual(shapes(c.head!.stateDictShapes), referenceShapes(h.state_dict), row.file) }
                if let s = row.scale_predictor {
                    XCTAssertEqual(shapes(c.scalePredictor!.stateDictShapes), referenceShapes(s.state_dict), row.file)
                }
                if let p = row.pair_classifier {
                    XCTAssertEqual(shapes(c.pairClassifier!.stateDictShapes), referenceShapes(p.state_dict), row.file)
                }
            } else {
                let key = try XCTUnwrap(row.expected.key, row.file)
                XCTAssertThrowsError(try ReferenceModelConfig.load(path, sections: Self.sections(row.strategy)), row.file) { error in
                    let text = "\(error)"
                    XCTAssertTrue(error is InputError, "\(row.file): \(text)")
                    XCTAssertTrue(text.hasPrefix(path), "\(row.file): names the file: \(text)")
                    XCTAssertTrue(text.contains(key), "\(row.file): names '\(key)': \(text)")
                    XCTAssertFalse(text.contains("\n"), "\(row.file): one line: \(text)")
                }
                refused.append(row.file)
            }
        }
        // The three the reference itself cannot load (and the pair classifier it cannot build).
        for f in ["configs/models/00_scale.yaml", "configs/models/arcface_base.yaml",
                  "configs/scale/02_sigm_mul_coef_selection/16.yaml", "configs/models/pair_classifiers/3layer_perceptron.yaml"] {
            XCTAssertTrue(refused.contains(f), f)
        }
        XCTAssertEqual(refused.count, 11, refused.joined(separator: ", "))
    }

    private func write(_ text: String, _ name: String = "model.yaml") throws -> String {
        let path = try TestSupport.scratchDirectory(self).appendingPathComponent(name).path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    static let sigmMul32 = """
    backbone:
        name: "iresnet50_normalized"
        learnable: false
    scale_predictor:
        name: "MLPHead"
        num_feats: [25088, 512, 1]
        batch_norm: true
        activation: "sigm_mul"
        coefficient: 32.
        fp16: false
    """

    func testFlagsOverrideTheConfigOneLineEach() throws {
        let path = try write(Self.sigmMul32)
        let fromConfig = try EmbedModelSettings(arch: nil, scaleActivation: nil, scaleCoefficient: nil,
                                                configPath: path, strategies: [.scale])
        XCTAssertEqual(fromConfig.arch, "iresnet50_normalized")
        XCTAssertEqual(fromConfig.scaleActivation, .sigmMul)
        XCTAssertEqual(fromConfig.scaleCoefficient, 32)
        XCTAssertEqual(fromConfig.overrides, [])
        let s = try EmbedModelSettings(arch: "iresnet100", scaleActivation: .exp, scaleCoefficient: nil,
                                       configPath: path, strategies: [.embNorm, .scale])
        XCTAssertEqual(s.arch, "iresnet100")
        XCTAssertEqual(s.scaleActivation, .exp)
        XCTAssertEqual(s.scaleCoefficient, 32)
        XCTAssertEqual(s.overrides, [
            "embed: --arch iresnet100 overrides backbone.name iresnet50_normalized of \(path)",
            "embed: --scale-activation exp overrides scale_predictor.activation sigm_mul of \(path)",
        ])
        // Without a config: scaleface's defaults, nothing to override.
        let plain = try EmbedModelSettings(arch: nil, scaleActivation: nil, scaleCoefficient: nil, configPath: nil, strategies: [.scale])
        XCTAssertEqual([plain.arch, plain.scaleActivation.rawValue, "\(plain.scaleCoefficient)"], ["iresnet50", "exp", "64.0"])
    }

    func testBadYAMLUnknownActivationAndTextNumbersAreOneLineErrors() throws {
        func error(_ text: String, sections: Set<ReferenceModelConfig.Section> = [.scalePredictor]) throws -> String {
            let path = try write(text)
            do {
                _ = try ReferenceModelConfig.load(path, sections: sections)
            } catch let e as InputError {
                XCTAssertEqual(e.file, path)
                XCTAssertFalse(e.description.contains("\n"), e.description)
                return e.description.replacingOccurrences(of: path, with: "FILE")
            }
            XCTFail("accepted: \(text)")
            return ""
        }
        XCTAssertTrue(try error("backbone: [iresnet50\n").hasPrefix("FILE: not valid YAML"))
        let unknown = try error(Self.sigmMul32.replacingOccurrences(of: "\"sigm_mul\"", with: "\"swish\""))
        XCTAssertEqual(unknown, "FILE:8: scale_predictor.activation: 'swish' is not an activation (expected one of exp, sigm, sigm_mul, sigm_sum, sigm_sum_mul, relu, lin; the reference would silently use the identity)")
        // PyYAML reads 1e2 (no dot) as text, which the reference's MLPHead cannot multiply by.
        XCTAssertEqual(try error(Self.sigmMul32.replacingOccurrences(of: "32.", with: "1e2")),
                       "FILE:9: scale_predictor.coefficient: expected a number, got '1e2' (text)")
        XCTAssertTrue(try error("backbone:\n    name: iresnet18\n", sections: []).contains("backbone.name: 'iresnet18' is not a backbone of the reference's registry"))
        XCTAssertEqual(try error("backbone: {name: iresnet50}\nhead: null\n", sections: [.head]),
                       "FILE:1: no 'head' section (head: null), which strategies 'head' and 'classifier' need")
        XCTAssertEqual(try error("title: x\n", sections: []), "FILE:1: no 'backbone' section (the reference always builds one)")
    }

    // MARK: embed --config on the parity fixture (iResNet-18 topology, 576-wide bottleneck)

    func floats(_ name: String) throws -> [Float] {
        let data = try Data(contentsOf: Self.checkpoints.appendingPathComponent(name))
        return data.withUnsafeBytes { raw in
            (0..<(data.count / 4)).map { Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: $0 * 4, as: UInt32.self))) }
        }
    }

    func embed(_ config: String, checkpoint: String = "nested_f32.pth", strategies: String = "scale",
               extra: [String] = []) throws -> (TestSupport.Result, URL) {
        let dir = try TestSupport.scratchDirectory(self)
        let yaml = dir.appendingPathComponent("model.yaml")
        try config.write(to: yaml, atomically: true, encoding: .utf8)
        let list = dir.appendingPathComponent("list.txt")
        try "png/face0.png\npng/face1.png\npng/face2.png\n".write(to: list, atomically: true, encoding: .utf8)
        let out = dir.appendingPathComponent("out.h5")
        let r = try TestSupport.scaleface(["embed", "--images", Self.checkpoints.path, "--list", list.path,
                                           "--checkpoint", Self.checkpoints.appendingPathComponent(checkpoint).path,
                                           "--config", yaml.path, "--arch", "iresnet18", "--input-size", "40",
                                           "--strategies", strategies, "--out", out.path] + extra)
        return (r, out)
    }

    static let fixtureScale = """
    backbone: {name: iresnet50, learnable: false}
    scale_predictor:
        name: MLPHead
        num_feats: [576, 16, 1]
        activation: sigm_mul
        coefficient: 2.5
    """

    func testEmbedTakesActivationAndCoefficientFromTheConfig() throws {
        let (r, out) = try embed(Self.fixtureScale)
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stderr.contains("embed: --arch iresnet18 overrides backbone.name iresnet50 of "), r.stderr)
        let stored = try EmbeddingStore.open(out.path).uncertainty(named: "scale").values
        let expected = try floats("nested_f32.scale_sigm_mul.f32")  // PyTorch: 2.5 * sigmoid(mlp(x))
        XCTAssertEqual(stored.count, 3)
        for (a, e) in zip(stored, expected) { XCTAssertEqual(a, e, accuracy: 1e-4 * abs(e)) }
    }

    func testEmbedRefusesACheckpointThatDisagreesWithTheConfig() throws {
        let deeper = Self.fixtureScale.replacingOccurrences(of: "[576, 16, 1]", with: "[576, 16, 16, 1]")
        let (r, out) = try embed(deeper)
        XCTAssertNotEqual(r.status, 0)
        XCTAssertTrue(r.stderr.contains("section 'scale_predictor' does not match scale_predictor of"), r.stderr)
        XCTAssertTrue(r.stderr.contains("3 linear layers, batch_norm true; the checkpoint has 2"), r.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: out.path))
        let head = "backbone: {name: iresnet50}\nhead: {name: pfe_head_adjustable, in_feat: 576, out_feat: 32}\n"
        let (h, _) = try embed(head, strategies: "head")
        XCTAssertNotEqual(h.status, 0)
        XCTAssertTrue(h.stderr.contains("head.fc1.weight makes the head a pfe_head (PFEHead), but pfe_head_adjustable was asked for"), h.stderr)
        // The same config fits the checkpoint that holds a PFEHeadAdjustable of those widths.
        let (ok, _) = try embed(head, checkpoint: "nested_f16.pth", strategies: "head")
        XCTAssertEqual(ok.status, 0, ok.stderr)
        let (wide, _) = try embed(head.replacingOccurrences(of: "out_feat: 32", with: "out_feat: 512"),
                                  checkpoint: "nested_f16.pth", strategies: "head")
        XCTAssertTrue(wide.stderr.contains("fc1 has shape [32, 576], the config needs [512, 576]"), wide.stderr)
    }

    func testPipelineConfigContentIsInTheCacheKey() throws {
        let dir = try TestSupport.scratchDirectory(self)
        try Self.fixtureScale.write(to: dir.appendingPathComponent("model.yaml"), atomically: true, encoding: .utf8)
        try "png/face0.png\npng/face1.png\n".write(to: dir.appendingPathComponent("list.txt"), atomically: true, encoding: .utf8)
        let pipeline = dir.appendingPathComponent("p.yaml")
        try """
        name: configs
        outputs: out
        stages:
          features:
            kind: embed
            params: {images: "\(Self.checkpoints.path)", list: list.txt, checkpoint: "\(Self.checkpoints.path)/nested_f32.pth",
                     config: model.yaml, arch: iresnet18, input_size: 40, strategies: [scale]}
        """.write(to: pipeline, atomically: true, encoding: .utf8)
        func runner() throws -> Runner {
            var r = Runner(pipeline: try PipelineFile.load(pipeline.path), registry: StageRegistry.kinds)
            r.quiet = true
            return r
        }
        _ = try runner().run()
        guard case .cached = try runner().plan()[0].status else { return XCTFail("not cached after a run") }
        try Self.fixtureScale.replacingOccurrences(of: "2.5", with: "3.0")
            .write(to: dir.appendingPathComponent("model.yaml"), atomically: true, encoding: .utf8)
        guard case .stale(let why) = try runner().plan()[0].status else { return XCTFail("still cached after the config changed") }
        XCTAssertTrue("\(why)".contains("config"), "\(why)")
    }
}
