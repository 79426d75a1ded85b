import Core
import Foundation
import Store

/// A small labelled embedding set made without numpy, for demos and tests: identities are
/// random unit directions; each image is its identity's direction plus Gaussian noise whose
/// size grows as the image's quality falls, and its stored confidence is that quality.
/// So rejecting low-confidence pairs should raise TAR, as it does for a good uncertainty.
public struct SyntheticEmbeddings {
    public var identities: Int
    public var imagesPerIdentity: Int
    public var dimension: Int
    public var seed: UInt64

    public init(identities: Int, imagesPerIdentity: Int, dimension: Int, seed: UInt64) {
        self.identities = identities
        self.imagesPerIdentity = imagesPerIdentity
        self.dimension = dimension
        self.seed = seed
    }

    public struct Output {
        public var paths: [String]
        public var embeddings: [Float]
        public var confidence: [Float]
        public var labels: [Int64]
        /// `left,right,label` rows: every genuine pair of each identity's first images and
        /// as many impostor pairs drawn at random.
        public var pairs: [(Int, Int, Int)]
    }

    public func generate() -> Output {
        var rng = SplitMix64(seed: seed)
        let n = identities * imagesPerIdentity
        var paths: [String] = []
        var embeddings = [Float](repeating: 0, count: n * dimension)
        var confidence = [Float](repeating: 0, count: n)
        var labels = [Int64](repeating: 0, count: n)
        for id in 0..<identities {
            var center = (0..<dimension).map { _ in rng.nextGaussian() }
            let norm = center.reduce(0) { $0 + $1 * $1 }.squareRoot()
            center = center.map { $0 / norm }
            for j in 0..<imagesPerIdentity {
                let row = id * imagesPerIdentity + j
                paths.append(String(format: "id%05d/img%03d.png", id, j))
                let quality = Float(0.15 + 0.85 * rng.nextUniform())
                // Noise per dimension so that the noise vector's norm is about 1.4 / quality.
                let sigma = 1.4 / quality / Float(dimension).squareRoot()
                let scale = 20 + 10 * quality  // raw feature norm, like an ArcFace embedding's
                for k in 0..<dimension {
                    embeddings[row * dimension + k] = scale * (center[k] + sigma * rng.nextGaussian())
                }
                confidence[row] = quality
                labels[row] = Int64(id)
            }
        }
        var pairs: [(Int, Int, Int)] = []
        for id in 0..<identities {
            let base = id * imagesPerIdentity
            for a in 0..<imagesPerIdentity {
                for b in (a + 1)..<imagesPerIdentity { pairs.append((base + a, base + b, 1)) }
            }
        }
        let genuine = pairs.count
        while pairs.count < 2 * genuine {
            let a = Int(rng.next() % UInt64(n)), b = Int(rng.next() % UInt64(n))
            if labels[a] != labels[b] { pairs.append((a, b, 0)) }
        }
        return Output(paths: paths, embeddings: embeddings, confidence: confidence, labels: labels, pairs: pairs)
    }

    /// Writes `paths.txt`, `embeddings.npy`, `confidence.npy`, `labels.npy` and `pairs.csv`.
    public func write(to directory: String) throws {
        let out = generate()
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        func file(_ name: String) -> String { (directory as NSString).appendingPathComponent(name) }
        try writeText(out.paths.joined(separator: "\n") + "\n", to: file("paths.txt"))
        try NpyFile.write(out.embeddings, shape: [out.paths.count, dimension], to: file("embeddings.npy"))
        try NpyFile.write(out.confidence, shape: [out.paths.count], to: file("confidence.npy"))
        try NpyFile.write(out.labels, shape: [out.paths.count], to: file("labels.npy"))
        let csv = out.pairs.map { "\(out.paths[$0.0]),\(out.paths[$0.1]),\($0.2)" }.joined(separator: "\n") + "\n"
        try writeText(csv, to: file("pairs.csv"))
    }
}
