import Foundation

/// SplitMix64 (Steele, Lea, Flood 2014): the one seeded generator of scaleface. Synthetic
/// data, random fusion, bootstrap resampling, the random baseline, weight initialisation and
/// training shuffles all draw from it, so a seed gives the same draws on every platform
/// (Swift's system generator is not seedable; this is not numpy's stream). docs/architecture.md
public struct SplitMix64: RandomNumberGenerator, Sendable {
    private var state: UInt64

    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Integer in `0..<n` as `next() % n`: the modulo bias is below 2^-40 for n < 2^24. Random
    /// fusion, bootstrap and synthetic data use this draw (their documented streams).
    public mutating func index(below n: Int) -> Int { Int(next() % UInt64(n)) }

    /// Integer in `0..<n` without modulo bias (Swift's `next(upperBound:)`); training uses it.
    public mutating func unbiasedIndex(below n: Int) -> Int {
        precondition(n > 0)
        return Int(truncatingIfNeeded: next(upperBound: UInt64(n)))
    }

    /// Uniform in [0, 1) with 53 random bits.
    public mutating func uniform() -> Double { Double(next() >> 11) * 0x1p-53 }

    /// Uniform in [lo, hi) with 53 random bits.
    public mutating func uniform(_ lo: Double, _ hi: Double) -> Double {
        lo + (hi - lo) * Double(next() >> 11) / Double(1 << 53)
    }

    /// True with probability p.
    public mutating func chance(_ p: Double) -> Bool { uniform(0, 1) < p }

    /// Standard normal (Box-Muller on 53-bit uniforms; the second value of the pair is dropped).
    public mutating func normal() -> Double {
        let u1 = max(uniform(), 0x1p-60), u2 = uniform()
        return (-2 * Foundation.log(u1)).squareRoot() * Foundation.cos(2 * Double.pi * u2)
    }

    /// Uniform in [0, 1) with 24 random bits, as a Float.
    public mutating func nextUniform() -> Float { Float(next() >> 40) / Float(1 << 24) }

    /// Standard normal by Box-Muller, as a Float (the synthetic embeddings' draw).
    public mutating func nextGaussian() -> Float {
        let u1 = max(Double(next() >> 11) / Double(1 << 53), 1e-300)
        let u2 = Double(next() >> 11) / Double(1 << 53)
        return Float((-2 * Foundation.log(u1)).squareRoot() * Foundation.cos(2 * Double.pi * u2))
    }

    /// Fisher-Yates shuffle with unbiased draws.
    public mutating func shuffle<E>(_ a: inout [E]) {
        guard a.count > 1 else { return }
        for i in stride(from: a.count - 1, to: 0, by: -1) { a.swapAt(i, unbiasedIndex(below: i + 1)) }
    }

    /// A generator for a sub-stream (an identity, an image), independent of the order in
    /// which sub-streams are drawn, so work can run in parallel.
    public static func stream(_ seed: UInt64, _ a: UInt64, _ b: UInt64 = 0, _ c: UInt64 = 0) -> SplitMix64 {
        var g = SplitMix64(seed: seed)
        var h = g.next()
        for part in [a, b, c] {
            var m = SplitMix64(seed: h ^ (part &* 0xD6E8_FEB8_6659_FD93))
            h = m.next()
        }
        return SplitMix64(seed: h)
    }
}
