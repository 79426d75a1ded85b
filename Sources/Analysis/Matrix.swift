import Foundation

/// A dense row-major matrix of `rows x columns` Float values: row `i` is
/// `values[i * columns ..< (i + 1) * columns]`. Embeddings are `[count, dimension]`,
/// uncertainties `[count, k]` (k = 1 for scalar strategies).
public struct RowMatrix: Sendable, Equatable {
    public var values: [Float]
    public let rows: Int
    public let columns: Int

    public init(values: [Float], rows: Int, columns: Int) throws {
        guard rows >= 0, columns > 0, values.count == rows * columns else {
            throw AnalysisError.shapeMismatch(
                "matrix of \(values.count) values does not have shape [\(rows), \(columns)]")
        }
        self.values = values
        self.rows = rows
        self.columns = columns
    }

    init(uncheckedValues values: [Float], rows: Int, columns: Int) {
        self.values = values
        self.rows = rows
        self.columns = columns
    }

    public func row(_ i: Int) -> ArraySlice<Float> { values[i * columns ..< (i + 1) * columns] }

    /// Index of the first NaN or infinite value's row, if any.
    public func firstNonFiniteRow() -> Int? {
        for (i, v) in values.enumerated() where !v.isFinite { return i / columns }
        return nil
    }
}

/// Pairs of rows of an embedding matrix with their labels (true = same identity).
/// Pairs are indices, never copies of embeddings.
public struct PairIndex: Sendable, Equatable {
    public var left: [Int32]
    public var right: [Int32]
    public var labels: [Bool]

    public init(left: [Int32], right: [Int32], labels: [Bool]) throws {
        guard left.count == right.count, left.count == labels.count else {
            throw AnalysisError.shapeMismatch(
                "pair lists differ in length: \(left.count) left, \(right.count) right, \(labels.count) labels")
        }
        self.left = left
        self.right = right
        self.labels = labels
    }

    public var count: Int { labels.count }
    public var positives: Int { labels.reduce(0) { $0 + ($1 ? 1 : 0) } }

    /// Checks every index is a row of a matrix with `rows` rows.
    public func validate(rows: Int) throws {
        for i in 0..<count {
            let l = Int(left[i]), r = Int(right[i])
            if l < 0 || l >= rows || r < 0 || r >= rows {
                throw AnalysisError.shapeMismatch("pair \(i) refers to row \(max(l, r)) of \(rows) rows")
            }
        }
    }
}
