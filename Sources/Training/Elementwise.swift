import Backbone
/// Elementwise and row-wise maps of the heads with their derivatives. Arrays are row-major
/// `[N, D]`; every backward takes the forward input (or output, where cheaper) and `dy`.
public enum Elementwise {
    public static func relu<T: TrainingScalar>(_ x: [T]) -> [T] { x.map { $0 > 0 ? $0 : 0 } }

    public static func reluBackward<T: TrainingScalar>(_ x: [T], _ dy: [T]) -> [T] {
        zip(x, dy).map { $0 > 0 ? $1 : 0 }
    }

    /// `x / ||x||` per row, with no epsilon, as the PFE head's `x / x.norm(dim=-1)`.
    public static func normaliseRows<T: TrainingScalar>(_ x: [T], columns: Int) -> (output: [T], norms: [T]) {
        let rows = columns == 0 ? 0 : x.count / columns
        var y = x, norms = [T](repeating: 0, count: rows)
        for r in 0..<rows {
            var s = 0.0
            for i in 0..<columns { let v = Double(x[r * columns + i]); s += v * v }
            let n = s.squareRoot()
            norms[r] = T(n)
            for i in 0..<columns { y[r * columns + i] = T(Double(x[r * columns + i]) / n) }
        }
        return (y, norms)
    }

    /// `dx = (dy - y (y . dy)) / ||x||` with `y = x / ||x||`.
    public static func normaliseRowsBackward<T: TrainingScalar>(output y: [T], norms: [T], _ dy: [T], columns: Int) -> [T] {
        var dx = dy
        for r in 0..<norms.count {
            var dot = 0.0
            for i in 0..<columns { dot += Double(y[r * columns + i]) * Double(dy[r * columns + i]) }
            let n = Double(norms[r])
            for i in 0..<columns {
                let k = r * columns + i
                dx[k] = T((Double(dy[k]) - Double(y[k]) * dot) / n)
            }
        }
        return dx
    }

    /// The PFE head's tail `log(1e-6 + exp(gamma * x + beta))`.
    public static func pfeTail<T: TrainingScalar>(_ x: [T], gamma: T, beta: T) -> [T] {
        x.map { v in
            let z = gamma * v + beta
            // Above 30 exp(z) dwarfs 1e-6; the rewritten form avoids overflow of exp.
            return z > 30 ? z + T.log1p(T(1e-6) * T.exp(-z)) : T.log(T(1e-6) + T.exp(z))
        }
    }

    /// Gradients of `pfeTail` with respect to `x`, `gamma` and `beta`; the derivative of
    /// `log(1e-6 + exp(z))` is `1 / (1 + 1e-6 exp(-z))`.
    public static func pfeTailBackward<T: TrainingScalar>(_ x: [T], gamma: T, beta: T, _ dy: [T]) -> (input: [T], gamma: T, beta: T) {
        var dx = dy
        var dGamma = 0.0, dBeta = 0.0
        for i in x.indices {
            let z = Double(gamma * x[i] + beta)
            let dz = Double(dy[i]) / (1 + 1e-6 * Foundation_exp(-z))
            dGamma += dz * Double(x[i])
            dBeta += dz
            dx[i] = T(dz * Double(gamma))
        }
        return (dx, T(dGamma), T(dBeta))
    }
}

@inline(__always) func Foundation_exp(_ x: Double) -> Double { Double.exp(x) }


