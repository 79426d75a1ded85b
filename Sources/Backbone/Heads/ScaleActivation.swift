import Foundation

/// Output activation of the ScaleFace scale predictor; raw values are the reference's names.
public enum ScaleActivation: String, CaseIterable, Sendable {
    case exp, sigm, sigmMul = "sigm_mul", sigmSum = "sigm_sum", sigmSumMul = "sigm_sum_mul", relu, lin

    /// The activation at inference; the same definition training differentiates
    /// (`forward` below).
    func apply(_ x: Float, coefficient c: Float) -> Float { forward(x, coefficient: c) }
}

extension ScaleActivation {
    public func forward<T: TrainingScalar>(_ x: T, coefficient c: T) -> T {
        let sigmoid = 1 / (1 + T.exp(-x))
        switch self {
        case .exp: return T.exp(x)
        case .sigm: return sigmoid
        case .sigmMul: return c * sigmoid
        case .sigmSum: return c + sigmoid
        case .sigmSumMul: return c + c * sigmoid
        case .relu: return c * max(x, 0)
        case .lin: return x
        }
    }

    /// d activation / dx at `x`.
    public func derivative<T: TrainingScalar>(_ x: T, coefficient c: T) -> T {
        let sigmoid = 1 / (1 + T.exp(-x))
        let ds = sigmoid * (1 - sigmoid)
        switch self {
        case .exp: return T.exp(x)
        case .sigm, .sigmSum: return ds
        case .sigmMul, .sigmSumMul: return c * ds
        case .relu: return x > 0 ? c : 0
        case .lin: return 1
        }
    }
}
