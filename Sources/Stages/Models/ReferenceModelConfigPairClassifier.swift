import Foundation

extension ReferenceModelConfig {
    /// `pair_classifier`: a pair classifier of the reference's `pair_classifiers` registry
    /// (docs/strategies.md, "classifier"). Every class takes `**kwargs`, so keys it does not
    /// read (`in_feat` for SmartCosine and Bilinear, `learnable`, `criterion`) are accepted and
    /// ignored, as the reference ignores them.
    public struct PairClassifierSection: Sendable, Equatable {
        public enum Kind: String, Sendable, CaseIterable {
            case mlp = "multilayer_perceptron", smartCosine = "smart_cosine", bilinear
        }

        public var kind: Kind
        /// MLP: `in_feat` (default 1024); SmartCosine and Bilinear: `input_size` (default 1024).
        public var inputSize: Int
        /// MLP: `hidden_layers_size` (default [512, 126]).
        public var hiddenLayers: [Int]
        /// MLP: `out_feat` (default 2).
        public var outFeat: Int
        /// SmartCosine: `bias` (default true).
        public var bias: Bool

        init(_ s: ConfigNode) throws {
            let name = try s.string("name", default: nil)
            guard let kind = Kind(rawValue: name) else {
                let hint = name == "MLP" ? " (MLP is the class; its registry key is multilayer_perceptron)" : ""
                throw s.error(at: "name", "'\(name)' is not a pair classifier of the reference's registry\(hint); the reference raises KeyError (expected one of \(Kind.allCases.map(\.rawValue).joined(separator: ", ")))")
            }
            self.kind = kind
            inputSize = try s.positiveInt(kind == .mlp ? "in_feat" : "input_size", default: 1024)
            hiddenLayers = kind == .mlp ? try s.positiveInts("hidden_layers_size", default: [512, 126]) : []
            outFeat = kind == .mlp ? try s.positiveInt("out_feat", default: 2) : 2
            bias = kind == .smartCosine ? try s.bool("bias", default: true) : true
            if kind == .smartCosine { _ = try s.bool("smart_init", default: false) }  // initial weights only
        }

        /// The state dict the reference's class holds: name -> shape.
        public var stateDictShapes: [(name: String, shape: [Int])] {
            switch kind {
            case .mlp:
                let widths: [Int] = [inputSize] + hiddenLayers + [outFeat]
                var out: [(name: String, shape: [Int])] = []
                for i in 0..<(widths.count - 1) {
                    out.append((name: "hidden.\(i).weight", shape: [widths[i + 1], widths[i]]))
                    out.append((name: "hidden.\(i).bias", shape: [widths[i + 1]]))
                }
                return out
            case .smartCosine:
                let half: Int = inputSize / 2
                var out: [(name: String, shape: [Int])] = [(name: "fc1.weight", shape: [2, half])]
                if bias { out.append((name: "fc1.bias", shape: [2])) }
                return out
            case .bilinear:
                let half: Int = inputSize / 2
                return [(name: "fc.weight", shape: [2, half, half]), (name: "fc.bias", shape: [2])]
            }
        }
    }
}
