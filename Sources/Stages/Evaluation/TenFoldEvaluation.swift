import Analysis
import Foundation

/// The reference's LFW pair score (docs/metrics.md, "LFW 10-fold accuracy"):
/// `f1 . f2 / (|f1| |f2| + 1e-5)` of the raw embeddings, in float32.
func lfwCosines(_ embeddings: RowMatrix, pairs: PairIndex) -> [Float] {
    let d = embeddings.columns
    return embeddings.values.withUnsafeBufferPointer { e in
        (0..<pairs.count).map { p in
            let a = Int(pairs.left[p]) * d, b = Int(pairs.right[p]) * d
            var dot: Float = 0, na: Float = 0, nb: Float = 0
            for j in 0..<d {
                dot += e[a + j] * e[b + j]
                na += e[a + j] * e[a + j]
                nb += e[b + j] * e[b + j]
            }
            return dot / (na.squareRoot() * nb.squareRoot() + 1e-5)
        }
    }
}

/// 10-fold accuracy of the pair set in file order (the official pairs.txt's 10 sets).
func tenFoldResult(_ embeddings: RowMatrix, pairs: PairIndex) throws -> ResultsFile.TenFold {
    let r = try tenFoldAccuracy(scores: lfwCosines(embeddings, pairs: pairs), labels: pairs.labels)
    return ResultsFile.TenFold(score: "cosine (f1.f2 / (|f1||f2| + 1e-5))", foldAccuracy: r.foldAccuracy,
                               threshold: r.threshold, mean: r.mean, std: r.std)
}
