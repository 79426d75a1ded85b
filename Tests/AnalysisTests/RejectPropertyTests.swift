import XCTest
@testable import Analysis
import Core

/// The O(N log N) reject curve against a naive re-sort per portion, on random data of many
/// sizes, with and without ties, in both modes.
final class RejectPropertyTests: XCTestCase {
    /// Section 7 written the slow, obvious way: a stable sort of (uncertainty, index) (or numpy's
    /// argsort, checked against numpy in ProtocolsGoldenTests), reversed for confidence, then
    /// section 6 from scratch on every kept prefix.
    private func naive(scores: [Float], unc: [Float], labels: [Bool], mode: UncertaintyMode,
                       fars: [Double], portions: [Double], tieOrder: TieOrder) -> (tar: [[Double]], far: [[Double]], thr: [[Double]]) {
        var order = tieOrder == .reference ? numpyArgsort(unc).map { Int($0) }
            : Array(0..<scores.count).sorted { unc[$0] < unc[$1] || (unc[$0] == unc[$1] && $0 < $1) }
        if mode == .confidence { order.reverse() }
        var tar = [[Double]](repeating: [], count: fars.count), far = tar, thr = tar
        for r in portions {
            let keep = Int((Double(scores.count) * (1 - r)).rounded(.down))
            let kept = order.prefix(keep)
            let neg = kept.filter { !labels[$0] }.map { scores[$0] }.sorted(by: >)
            let pos = kept.filter { labels[$0] }.map { scores[$0] }
            for (f, requested) in fars.enumerated() {
                guard !neg.isEmpty else { tar[f].append(.nan); far[f].append(.nan); thr[f].append(.nan); continue }
                let k = Int((Double(neg.count) * requested).rounded(.toNearestOrEven))
                let t = k == 0 ? Double(Float(Double(neg[0]) + 1e-8)) : Double(neg[k - 1])
                tar[f].append(pos.isEmpty ? .nan : Double(pos.filter { Double($0) >= t }.count) / Double(pos.count))
                far[f].append(Double(neg.filter { Double($0) >= t }.count) / Double(neg.count))
                thr[f].append(t)
            }
        }
        return (tar, far, thr)
    }

    func testFastCurveEqualsNaiveOnRandomData() throws {
        var rng = SplitMix64(seed: 42)
        let fars = [1e-4, 1e-3, 1e-2, 0.1, 0.5, 1]
        for n in [2, 3, 5, 17, 64, 255, 256, 257, 1000, 4099] {
            for tied in [false, true] {
                for mode in UncertaintyMode.allCases {
                  for tieOrder in TieOrder.allCases {
                    var labels = (0..<n).map { _ in rng.next() % 3 == 0 }
                    labels[0] = true; labels[n - 1] = false
                    let scores: [Float] = (0..<n).map { i in
                        let v = Float(rng.next() % 10_000) / 10_000 + (labels[i] ? 0.3 : 0)
                        return tied ? (v * 10).rounded() / 10 : v - 0.5
                    }
                    let unc: [Float] = (0..<n).map { _ in
                        let v = Float(rng.next() % 100_000) / 1000 - 20
                        return tied ? v.rounded() : v
                    }
                    let portions = linspace(0, 0.99, 40)
                    let fast = try rejectCurve(scores: scores, pairUncertainty: unc, labels: labels, mode: mode,
                                               fars: fars, portions: portions, tieOrder: tieOrder)
                    let slow = naive(scores: scores, unc: unc, labels: labels, mode: mode, fars: fars, portions: portions,
                                     tieOrder: tieOrder)
                    for f in fars.indices {
                        for p in portions.indices {
                            let where_ = "n=\(n) tied=\(tied) \(mode) \(tieOrder) f=\(fars[f]) p=\(portions[p])"
                            XCTAssertTrue(sameOrBothNaN(fast.tar[f][p], slow.tar[f][p]), where_)
                            XCTAssertTrue(sameOrBothNaN(fast.far[f][p], slow.far[f][p]), where_)
                            XCTAssertTrue(sameOrBothNaN(fast.threshold[f][p], slow.thr[f][p]), where_)
                        }
                    }
                  }
                }
            }
        }
    }

    func testStableArgsortMatchesStableComparisonSort() {
        var rng = SplitMix64(seed: 7)
        for n in [0, 1, 10, 255, 256, 3000, 70_000] {
            var v = [Float]()
            for _ in 0..<n {
                let r = rng.next() % 5
                let magnitude = Float(Int(rng.next() % 2001) - 1000) / 7
                v.append(r == 0 ? -0.0 : (r == 1 ? 0.0 : magnitude))
            }
            let ascending: (Int, Int) -> Bool = { v[$0] < v[$1] || (v[$0] == v[$1] && $0 < $1) }
            let descending: (Int, Int) -> Bool = { v[$0] > v[$1] || (v[$0] == v[$1] && $0 < $1) }
            let want = Array(0..<n).sorted(by: ascending).map { Int32($0) }
            XCTAssertEqual(stableArgsort(v), want, "n=\(n)")
            let wantDesc = Array(0..<n).sorted(by: descending).map { Int32($0) }
            XCTAssertEqual(stableArgsort(v, descending: true), wantDesc, "n=\(n) descending")
        }
    }

    func testRankCounterAgainstSortedSet() {
        var rng = SplitMix64(seed: 3)
        for capacity in [1, 63, 64, 513, 5000] {
            var counter = RankCounter(capacity: capacity)
            var members = Set<Int>()
            for _ in 0..<min(capacity, 700) {
                let r = rng.index(below: capacity)
                if members.insert(r).inserted { counter.insert(r) }
                let sorted = members.sorted()
                let j = rng.index(below: sorted.count)
                XCTAssertEqual(counter.member(withRank: j), sorted[j])
                let q = rng.index(below: capacity + 1)
                XCTAssertEqual(counter.countBelow(q), sorted.filter { $0 < q }.count)
            }
        }
    }

    func testConfidenceModeKeepsLaterTiedPairFirst() {
        // equal confidences: the reverse of the stable ascending order keeps pair 2 before pair 1
        XCTAssertEqual(keepOrder([5, 1, 1], mode: .confidence, tieOrder: .stable), [0, 2, 1])
        XCTAssertEqual(keepOrder([5, 1, 1], mode: .uncertainty, tieOrder: .stable), [1, 2, 0])
    }
}

final class BlockedDotTests: XCTestCase {
    func testBlockedPairDotsEqualPlainDots() throws {
        var rng = SplitMix64(seed: 11)
        let rows = 300, d = 24
        let m = try RowMatrix(values: (0..<(rows * d)).map { _ in Float(rng.index(below: 2001) - 1000) / 1000 },
                              rows: rows, columns: d)
        let n = 5000
        let pairs = try PairIndex(left: (0..<n).map { _ in Int32(rng.index(below: rows)) },
                                  right: (0..<n).map { _ in Int32(rng.index(below: rows)) },
                                  labels: (0..<n).map { _ in rng.next() % 2 == 0 })
        let blocked = blockedPairDots(m, pairs, blockBytes: 16 * 4 * d, minPairs: 1)   // 19 blocks of 16 rows
        let plain = blockedPairDots(m, pairs, blockBytes: rows * 4 * d, minPairs: 1)
        XCTAssertEqual(blocked, plain)
        for i in stride(from: 0, to: n, by: 97) {
            var s = 0.0
            for j in 0..<d { s += Double(m.values[Int(pairs.left[i]) * d + j]) * Double(m.values[Int(pairs.right[i]) * d + j]) }
            XCTAssertEqual(Double(plain[i]), s, accuracy: 1e-5)
        }
    }

    func testOperatingPointsFromRanksEqualTarAtFAR() throws {
        var rng = SplitMix64(seed: 5)
        for n in [2, 50, 3000] {
            var labels = (0..<n).map { _ in rng.next() % 4 == 0 }
            labels[0] = true; labels[n - 1] = false
            let scores = (0..<n).map { _ in Float(rng.index(below: 300)) / 100 }
            let fars = [1e-4, 0.01, 0.3, 1]
            XCTAssertEqual(try ScoreRanks(scores: scores, labels: labels).operatingPoints(fars: fars),
                           try tarAtFAR(scores: scores, labels: labels, fars: fars))
        }
    }
}
