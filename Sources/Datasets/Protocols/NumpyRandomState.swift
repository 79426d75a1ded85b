import Foundation

/// numpy's legacy `RandomState` as far as the CPLFW / CALFW split needs it (docs/protocols.md,
/// "CPLFW and CALFW"): `np.random.seed(s)` with an integer seed (MT19937 `init_genrand`), the
/// tempered 32-bit output, and `shuffle` of a 1-D array (Fisher–Yates from the end, each index
/// drawn by masked rejection, numpy's `random_interval`).
public struct NumpyRandomState {
    private var mt = [UInt32](repeating: 0, count: 624)
    private var index = 624

    /// `np.random.seed(seed)` for a seed below 2^32.
    public init(seed: UInt32) {
        mt[0] = seed
        for i in 1..<624 {
            mt[i] = 1_812_433_253 &* (mt[i - 1] ^ (mt[i - 1] >> 30)) &+ UInt32(i)
        }
    }

    /// MT19937 `genrand_int32`.
    public mutating func nextUInt32() -> UInt32 {
        if index >= 624 { twist() }
        var y = mt[index]
        index += 1
        y ^= y >> 11
        y ^= (y << 7) & 0x9D2C_5680
        y ^= (y << 15) & 0xEFC6_0000
        y ^= y >> 18
        return y
    }

    private mutating func twist() {
        for i in 0..<624 {
            let y = (mt[i] & 0x8000_0000) | (mt[(i + 1) % 624] & 0x7FFF_FFFF)
            mt[i] = mt[(i + 397) % 624] ^ (y >> 1) ^ (y & 1 == 0 ? 0 : 0x9908_B0DF)
        }
        index = 0
    }

    /// numpy's `random_interval(max)`: uniform in `0...max` (max below 2^32).
    public mutating func interval(_ max: UInt32) -> UInt32 {
        if max == 0 { return 0 }
        var mask = max
        mask |= mask >> 1; mask |= mask >> 2; mask |= mask >> 4; mask |= mask >> 8; mask |= mask >> 16
        while true {
            let u = nextUInt32() & mask
            if u <= max { return u }
        }
    }

    /// `np.random.shuffle(x)` of a 1-D array.
    public mutating func shuffle<T>(_ x: inout [T]) {
        guard x.count > 1 else { return }
        for i in stride(from: x.count - 1, through: 1, by: -1) {
            let j = Int(interval(UInt32(i)))
            x.swapAt(i, j)
        }
    }
}
