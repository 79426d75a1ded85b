import Core
import Foundation

/// A CPLFW / CALFW pair file `pairs_<NAME>.txt` and the reference's test / val split
/// (docs/protocols.md, "CPLFW and CALFW").
public struct CrossPairs: Sendable, Equatable {
    public var left: [String]
    public var right: [String]
    public var labels: [Bool]
    /// Pair indices (file order) whose two identities are both test (val) identities;
    /// pairs across the two sets are in neither.
    public var test: [Int]
    public var val: [Int]
    /// The identities in the reference's shuffled order: the first `testIdentities` are test.
    public var shuffledIdentities: [String]

    /// The reference's number of test identities.
    public static let testIdentities = 2000
    /// The reference's seed (`np.random.seed(42)`).
    public static let seed: UInt32 = 42

    /// The identity of a photo name: the name without its last `_` field (`A_B_3.jpg` -> `A_B`).
    public static func identity(_ photo: String) -> String {
        let parts = photo.split(separator: "_", omittingEmptySubsequences: false)
        return parts.dropLast().joined(separator: "_")
    }
}

/// Which pairs of a CPLFW / CALFW file to use.
public enum CrossSplit: String, Sendable, CaseIterable {
    /// The test split, the one `cross.py` evaluates.
    case test
    case val
    /// Every pair in file order.
    case all
}

/// Reads `pairs_<NAME>.txt`: non-blank lines `<photo> <label>`, lines 2i and 2i+1 form pair i,
/// its label the second field of line 2i (1 genuine, 0 impostor; a last unpaired line is
/// ignored, as the reference does). Then the split: the sorted unique identities of all photos
/// are shuffled by numpy's `RandomState(42)`; the first 2,000 are test, the rest val.
public func readCrossPairs(_ path: String) throws -> CrossPairs {
    let lines = try readTextLines(path)
    guard lines.count <= 50_000_000 else { throw InputError(file: path, "more than 50,000,000 lines") }
    var left: [String] = [], right: [String] = [], labels: [Bool] = []
    func fields(_ line: (number: Int, text: Substring)) throws -> [Substring] {
        let f = line.text.split(whereSeparator: { $0 == " " || $0 == "\t" })
        guard f.count >= 1 else { throw InputError(file: path, line: line.number, "expected '<photo> <label>'") }
        return f
    }
    for i in 0..<(lines.count / 2) {
        let a = try fields(lines[2 * i]), b = try fields(lines[2 * i + 1])
        guard a.count >= 2 else {
            throw InputError(file: path, line: lines[2 * i].number, "expected '<photo> <label>', found one field")
        }
        guard a[1] == "0" || a[1] == "1" else {
            throw InputError(file: path, line: lines[2 * i].number, "label '\(a[1])' is not 0 or 1")
        }
        left.append(String(a[0]))
        right.append(String(b[0]))
        labels.append(a[1] == "1")
    }
    guard !labels.isEmpty else { throw InputError(file: path, "no pairs in the file") }
    // np.sort(np.unique(...)) of str: code point order, which is UTF-8 byte order
    let identities = Set((left + right).map(CrossPairs.identity))
    var names = identities.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
    var rng = NumpyRandomState(seed: CrossPairs.seed)
    rng.shuffle(&names)
    let testSet = Set(names.prefix(CrossPairs.testIdentities))
    var test: [Int] = [], val: [Int] = []
    for i in labels.indices {
        let l = testSet.contains(CrossPairs.identity(left[i])), r = testSet.contains(CrossPairs.identity(right[i]))
        if l && r { test.append(i) } else if !l && !r { val.append(i) }
    }
    return CrossPairs(left: left, right: right, labels: labels, test: test, val: val, shuffledIdentities: names)
}
