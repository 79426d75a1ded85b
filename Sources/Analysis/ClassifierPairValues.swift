import Foundation

/// What a pair classifier says about each pair (docs/metrics.md, "Pair classifiers"): `same` is
/// the `classifier` score `p1`, `uncertainty` the `classifier` pair uncertainty `1 - max p`, one
/// float per pair of the `PairIndex` they were computed for. Analysis never runs the classifier
/// (it imports only Core): the caller computes these arrays and hands them over through a
/// `PairClassifierFunction`.
public struct ClassifierPairValues: Sendable, Equatable {
    public var same: [Float]
    public var uncertainty: [Float]

    public init(same: [Float], uncertainty: [Float]) throws {
        guard same.count == uncertainty.count else {
            throw AnalysisError.shapeMismatch(
                "pair classifier gave \(same.count) p(same) values but \(uncertainty.count) uncertainties")
        }
        self.same = same
        self.uncertainty = uncertainty
    }
}

/// Runs a pair classifier on the rows of `embeddings` named by `pairs` (left row first), giving
/// one `ClassifierPairValues` entry per pair in pair order.
public typealias PairClassifierFunction = @Sendable (_ embeddings: RowMatrix, _ pairs: PairIndex) throws -> ClassifierPairValues

extension PairScorer {
    /// The classifier's values for this scorer's pairs, computed once on first use.
    func classifierValues(_ what: String) throws -> ClassifierPairValues {
        if let v = classified { return v }
        guard let f = pairClassifier else {
            throw AnalysisError.invalidArgument(
                "\(what) needs a pair classifier (give --pair-classifier, or a store embedded with the classifier strategy)")
        }
        let v = try f(embeddings, pairs)
        guard v.same.count == pairs.count else {
            throw AnalysisError.shapeMismatch("pair classifier gave \(v.same.count) values for \(pairs.count) pairs")
        }
        classified = v
        return v
    }
}
