import Core
import Foundation

/// One identity folder of an aligned image set: its name and its image file names.
public struct IdentityFolder: Equatable, Sendable {
    public var name: String
    public var files: [String]

    public init(name: String, files: [String]) {
        self.name = name
        self.files = files
    }
}

/// The identity folders under `root`, sorted by name, with their files sorted by name (hidden
/// entries and anything that is not a folder at the top level, or a file inside, skipped).
public func listIdentityFolders(root: String) throws -> [IdentityFolder] {
    let fm = FileManager.default
    var isDir: ObjCBool = false
    guard fm.fileExists(atPath: root, isDirectory: &isDir), isDir.boolValue else {
        throw InputError(file: root, "no such folder")
    }
    func visible(_ dir: String, folders: Bool) throws -> [String] {
        try fm.contentsOfDirectory(atPath: dir).filter { name in
            var d: ObjCBool = false
            return !name.hasPrefix(".") && fm.fileExists(atPath: (dir as NSString).appendingPathComponent(name), isDirectory: &d)
                && d.boolValue == folders
        }.sorted()
    }
    return try visible(root, folders: true).map { name in
        IdentityFolder(name: name, files: try visible((root as NSString).appendingPathComponent(name), folders: false))
    }
}

/// A single-image pair list drawn by the reference's algorithm (docs/protocols.md, "Sampling
/// image pairs") from SplitMix64 instead of Python's unseeded `random`.
public struct ImagePairSample: Sendable {
    /// `left,right,label` lines (no header): the positives, then the negatives.
    public var text: String
    public var positives: Int
    public var negatives: Int
}

public enum PairSamplerError: Error, CustomStringConvertible {
    case invalid(String)
    public var description: String {
        switch self { case .invalid(let m): return m }
    }
}

/// The draws of `ImagePairSample`, in stream order: one shared `SplitMix64` (`index(below: n)` is
/// `next() % n`, `uniform()` takes 53 bits).
public struct PairSampler {
    public var rng: SplitMix64

    public init(seed: UInt64) { rng = SplitMix64(seed: seed) }

    /// Fisher-Yates from the last element down, `j = index(below: i + 1)`.
    public mutating func shuffle<E>(_ a: inout [E]) {
        guard a.count > 1 else { return }
        for i in stride(from: a.count - 1, to: 0, by: -1) { a.swapAt(i, rng.index(below: i + 1)) }
    }

    /// `k` distinct indices of `0..<n` in the order drawn (a partial Fisher-Yates kept sparse:
    /// step i swaps position i with `i + index(below: n - i)`).
    mutating func choose(_ k: Int, of n: Int) -> [Int] {
        var moved: [Int: Int] = [:]
        var out: [Int] = []
        out.reserveCapacity(k)
        for i in 0..<k {
            let j = i + rng.index(below: n - i)
            let picked = moved[j] ?? j
            moved[j] = moved[i] ?? i
            out.append(picked)
        }
        return out
    }

    /// `count` pairs with `Int(count * positiveShare)` positives and `Int(count * (1 - positiveShare))`
    /// negatives over `identities` (paths `name/file`).
    public mutating func sample(_ identities: [IdentityFolder], count: Int, positiveShare: Double) throws -> ImagePairSample {
        guard count >= 0, positiveShare >= 0, positiveShare <= 1 else {
            throw PairSamplerError.invalid("need a pair count >= 0 and a positive share in [0, 1]")
        }
        guard identities.count >= 2 else {
            throw PairSamplerError.invalid("need at least 2 identity folders, found \(identities.count)")
        }
        let wantedPositives = Int(Double(count) * positiveShare)
        let wantedNegatives = Int(Double(count) * (1 - positiveShare))
        let sizes = identities.map { $0.files.count }
        let total = sizes.reduce(0, +)
        let possibleNegatives = total * total - sizes.reduce(0) { $0 + $1 * $1 }
        guard possibleNegatives >= wantedNegatives else {
            throw PairSamplerError.invalid("\(wantedNegatives) distinct negative pairs asked for, but these folders allow only \(possibleNegatives)")
        }
        var text = ""
        var positives = 0

        // positives: identities in shuffled order, each asked for its share plus what earlier
        // ones could not give, rounded at random
        var order = identities
        shuffle(&order)
        let mean = Double(wantedPositives) / Double(order.count)
        for (idx, folder) in order.enumerated() {
            let x = max(0, Double(idx) * mean - Double(positives)) + mean
            let need = Int(x) + (rng.uniform() < x.truncatingRemainder(dividingBy: 1) ? 1 : 0)
            let k = folder.files.count
            let pairs = k * (k - 1) / 2
            guard pairs > 0 else { continue }
            // combination t -> (a, b) in itertools.combinations order
            var starts: [Int] = [0]
            for a in 0..<(k - 1) { starts.append(starts[a] + k - 1 - a) }
            for t in choose(min(need, pairs), of: pairs) {
                var a = 0
                while starts[a + 1] <= t { a += 1 }
                let b = a + 1 + t - starts[a]
                text += "\(folder.name)/\(folder.files[a]),\(folder.name)/\(folder.files[b]),1\n"
                positives += 1
            }
        }

        // negatives: two distinct identities (listing order), one image of each, until that
        // many distinct ordered pairs are drawn
        var seen = Set<[Int]>()
        let n = identities.count
        while seen.count < wantedNegatives {
            let i = rng.index(below: n)
            var j = rng.index(below: n - 1)
            if j >= i { j += 1 }
            let l = identities[i], r = identities[j]
            guard !l.files.isEmpty, !r.files.isEmpty else { continue }
            let a = rng.index(below: l.files.count), b = rng.index(below: r.files.count)
            guard seen.insert([i, a, j, b]).inserted else { continue }
            text += "\(l.name)/\(l.files[a]),\(r.name)/\(r.files[b]),0\n"
        }
        return ImagePairSample(text: text, positives: positives, negatives: wantedNegatives)
    }

    /// The identity-disjoint split: the folders shuffled, the first `Int(count * valShare)` for
    /// validation and the rest for test.
    public mutating func split(_ identities: [IdentityFolder], valShare: Double) throws -> (val: [IdentityFolder], test: [IdentityFolder]) {
        guard valShare > 0, valShare < 1 else { throw PairSamplerError.invalid("the validation share must be in (0, 1)") }
        var ids = identities
        shuffle(&ids)
        let cut = Int(Double(ids.count) * valShare)
        return (Array(ids[..<cut]), Array(ids[cut...]))
    }
}

/// The reference's file name of a pair list: `pairs_<N>_prob_<share>.csv`, with `prefix`
/// (`val_`, `test_`) for a split.
public func pairListFileName(count: Int, positiveShare: Double, prefix: String = "") -> String {
    "\(prefix)pairs_\(count)_prob_\(positiveShare).csv"
}
