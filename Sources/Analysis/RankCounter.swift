import Foundation

/// A set of ranks `0..<capacity` supporting insert, "the j-th smallest member" and "how many
/// members are below r" in O(log capacity): a bitset in 512-bit blocks, with a Fenwick tree of
/// block counts. It is the order-statistics structure of the reject curve: members are the
/// score ranks of the pairs kept so far.
struct RankCounter {
    private var words: [UInt64]
    private var tree: [Int32]        // Fenwick tree over block counts, 1-based
    private let blocks: Int
    private(set) var count = 0
    private static let wordsPerBlock = 8

    init(capacity: Int) {
        let nWords = (capacity + 63) / 64
        blocks = max(1, (nWords + Self.wordsPerBlock - 1) / Self.wordsPerBlock)
        words = [UInt64](repeating: 0, count: blocks * Self.wordsPerBlock)
        tree = [Int32](repeating: 0, count: blocks + 1)
    }

    mutating func insert(_ rank: Int) {
        words[rank >> 6] |= 1 << UInt64(rank & 63)
        var b = (rank >> 9) + 1
        while b <= blocks { tree[b] += 1; b += b & -b }
        count += 1
    }

    /// Number of members `< rank`.
    func countBelow(_ rank: Int) -> Int {
        if rank <= 0 { return 0 }
        let block = rank >> 9
        var total = 0
        var b = min(block, blocks)
        while b > 0 { total += Int(tree[b]); b -= b & -b }
        if block >= blocks { return total }
        let firstWord = block * Self.wordsPerBlock
        let w = rank >> 6
        for i in firstWord..<w { total += words[i].nonzeroBitCount }
        let bit = rank & 63
        if bit > 0 { total += (words[w] & ((1 << UInt64(bit)) - 1)).nonzeroBitCount }
        return total
    }

    /// The smallest member `>= rank`, or `Int.max` when there is none. Scanning the members in
    /// order this way costs O(1) per member plus one step per 64 ranks passed.
    func firstMember(atLeast rank: Int) -> Int {
        var w = rank >> 6
        guard w < words.count else { return Int.max }
        var word = words[w] & (~0 << UInt64(rank & 63))
        while word == 0 {
            w += 1
            if w == words.count { return Int.max }
            word = words[w]
        }
        return w * 64 + word.trailingZeroBitCount
    }

    /// The member with `j` members below it (`0 <= j < count`).
    func member(withRank j: Int) -> Int {
        precondition(j >= 0 && j < count)
        var pos = 0, remaining = j
        var step = 1
        while step * 2 <= blocks { step *= 2 }
        while step > 0 {
            let next = pos + step
            if next <= blocks && Int(tree[next]) <= remaining {
                pos = next
                remaining -= Int(tree[next])
            }
            step /= 2
        }
        // block index `pos` (0-based) holds the answer
        var w = pos * Self.wordsPerBlock
        while true {
            let c = words[w].nonzeroBitCount
            if remaining < c { break }
            remaining -= c
            w += 1
        }
        var word = words[w]
        for _ in 0..<remaining { word &= word - 1 }
        return w * 64 + word.trailingZeroBitCount
    }
}
