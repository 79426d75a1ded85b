import COpenBLAS
import Backbone
import Foundation

/// PCA whitening of features `[N, F]` (row-major): `x = P (z - mean)`, with `P [k, F]` mapping
/// onto the top `k` principal directions, each scaled to unit variance over the fitted rows.
///
/// Why: bottleneck features (a random demonstration trunk's most of all) are strongly
/// correlated, and plain SGD on a linear layer over them converges very slowly. A linear layer
/// `W [D, k]` trained on whitened inputs is the same function as `W P` on raw inputs, so after
/// training the whitening is folded back (`fold`) and the saved layer has the reference's
/// shape and keys: the whitening is a preconditioner, not part of the model.
public struct PCAWhitening: Sendable {
    public let width: Int
    public let components: Int
    /// `[F]`.
    public let mean: [Float]
    /// `[k, F]`, row-major.
    public let projection: [Float]
    /// Variance along each kept direction (descending).
    public let variances: [Double]

    /// Fits on at most `maxRows` rows (evenly spaced through the data, so the estimate does not
    /// depend on order alone), through the Gram matrix of the centred rows, whose size is
    /// rows², not F². Directions with variance below `1e-6` of the largest are dropped, so
    /// `components` may be smaller than asked for.
    public static func fit(features: [Float], rows n: Int, width f: Int, components k: Int, maxRows: Int = 4096) throws -> PCAWhitening {
        precondition(features.count == n * f && n >= 2 && f >= 1 && k >= 1)
        let m = min(n, maxRows)
        let picked = (0..<m).map { $0 * n / m }
        var mean = [Double](repeating: 0, count: f)
        for r in 0..<n { for j in 0..<f { mean[j] += Double(features[r * f + j]) } }
        let meanF = mean.map { Float($0 / Double(n)) }
        var centred = [Float](repeating: 0, count: m * f)
        for (i, r) in picked.enumerated() { for j in 0..<f { centred[i * f + j] = features[r * f + j] - meanF[j] } }
        // Gram G = Zc Zc^T [m, m].
        var gram = [Float](repeating: 0, count: m * m)
        cblas_ssyrk(CblasRowMajor, CblasUpper, CblasNoTrans, Int32(m), Int32(f), 1, centred, Int32(f), 0, &gram, Int32(m))
        var a = [Double](repeating: 0, count: m * m)
        for i in 0..<m { for j in i..<m { a[i * m + j] = Double(gram[i * m + j]); a[j * m + i] = a[i * m + j] } }
        let want = min(k, m - 1, f)
        let (values, vectors) = try topEigen(a, size: m, count: want)
        // Descending; keep the well-conditioned ones.
        let order = (0..<values.count).reversed().filter { values[$0] > 1e-6 * values[values.count - 1] }
        var projection = [Float](repeating: 0, count: order.count * f)
        var variances: [Double] = []
        for (row, e) in order.enumerated() {
            // Direction u = Zc^T v / sqrt(lambda); variance lambda / m; P_row = u / sqrt(lambda / m).
            let lambda = values[e]
            let s = Float(Double(m).squareRoot() / lambda)
            let v = (0..<m).map { Float(vectors[e * m + $0]) * s }
            projection.withUnsafeMutableBufferPointer { p in
                cblas_sgemv(CblasRowMajor, CblasTrans, Int32(m), Int32(f), 1, centred, Int32(f), v, 1, 0,
                            p.baseAddress! + row * f, 1)
            }
            variances.append(lambda / Double(m))
        }
        return PCAWhitening(width: f, components: order.count, mean: meanF, projection: projection, variances: variances)
    }

    /// `x [N, k]` for `z [N, F]`.
    public func apply(_ z: [Float], rows n: Int) -> [Float] {
        precondition(z.count == n * width)
        var centred = z
        for r in 0..<n { for j in 0..<width { centred[r * width + j] -= mean[j] } }
        var out = [Float](repeating: 0, count: n * components)
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, Int32(n), Int32(components), Int32(width), 1,
                    centred, Int32(width), projection, Int32(width), 0, &out, Int32(components))
        return out
    }

    /// A linear layer `y = W x + b` on whitened inputs (`W [D, k]`) as one on raw inputs:
    /// `W' = W P` `[D, F]`, `b' = b - W P mean`.
    public func fold(weight: [Float], bias: [Float]?, outFeatures d: Int) -> (weight: [Float], bias: [Float]) {
        precondition(weight.count == d * components)
        var w = [Float](repeating: 0, count: d * width)
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(d), Int32(width), Int32(components), 1,
                    weight, Int32(components), projection, Int32(width), 0, &w, Int32(width))
        var b = bias ?? [Float](repeating: 0, count: d)
        for o in 0..<d {
            var s = 0.0
            for j in 0..<width { s += Double(w[o * width + j]) * Double(mean[j]) }
            b[o] -= Float(s)
        }
        return (w, b)
    }

    /// `layer` (trained on whitened inputs) as the same function of raw inputs.
    public func fold(_ layer: DenseLayer<Float>) -> DenseLayer<Float> {
        let (w, b) = fold(weight: layer.weight, bias: layer.bias, outFeatures: layer.outFeatures)
        return DenseLayer(weight: w, bias: b, inFeatures: width, outFeatures: layer.outFeatures)
    }

    /// The `count` largest eigenpairs of the symmetric `a [size, size]` (row-major; symmetric,
    /// so the layout does not matter), ascending, eigenvectors as rows of `[count, size]`.
    static func topEigen(_ a: [Double], size n: Int, count: Int) throws -> (values: [Double], vectors: [Double]) {
        var a = a
        var (nn, lda, ldz) = (Int32(n), Int32(n), Int32(n))
        var il = Int32(n - count + 1), iu = Int32(n)
        var (vl, vu, abstol) = (0.0, 0.0, 0.0)
        var found: Int32 = 0, info: Int32 = 0
        var w = [Double](repeating: 0, count: n)
        var z = [Double](repeating: 0, count: n * count)
        var support = [Int32](repeating: 0, count: 2 * max(1, count))
        var lwork: Int32 = -1, liwork: Int32 = -1
        var workSize = 0.0, iworkSize: Int32 = 0
        dsyevr_("V", "I", "U", &nn, &a, &lda, &vl, &vu, &il, &iu, &abstol, &found, &w, &z, &ldz, &support,
                &workSize, &lwork, &iworkSize, &liwork, &info)
        lwork = Int32(workSize)
        liwork = iworkSize
        var work = [Double](repeating: 0, count: Int(lwork))
        var iwork = [Int32](repeating: 0, count: Int(liwork))
        dsyevr_("V", "I", "U", &nn, &a, &lda, &vl, &vu, &il, &iu, &abstol, &found, &w, &z, &ldz, &support,
                &work, &lwork, &iwork, &liwork, &info)
        guard info == 0, Int(found) == count else {
            throw TrainingError.numerical("eigendecomposition for PCA whitening failed (LAPACK dsyevr info \(info))")
        }
        // Column-major z: column e is eigenvector e, i.e. row e of the row-major [count, n].
        return (Array(w.prefix(count)), z)
    }
}

public enum TrainingError: Error, CustomStringConvertible {
    case numerical(String)

    public var description: String {
        switch self {
        case .numerical(let m): return m
        }
    }
}
