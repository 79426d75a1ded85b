/// Stride-1 3 x 3 convolutions run as Winograd F(2x2, 3x3), the others through im2col.
enum ConvolutionKernel: Sendable {
    case direct(Convolution)
    case winograd(WinogradConvolution)

    /// F(4x4, 3x3) was tried as well: fewer products, but its costlier transforms and smaller
    /// sgemms used more CPU time per image than F(2x2, 3x3) on iResNet-50 (0.15 vs 0.14 s).
    init(_ conv: Convolution, winograd: Bool) {
        self = winograd && conv.kernel == 3 && conv.stride == 1 ? .winograd(WinogradConvolution(conv)) : .direct(conv)
    }

    var bias: [Float] {
        switch self {
        case .direct(let c): return c.bias
        case .winograd(let w): return w.bias
        }
    }

    func outputSize(_ n: Int) -> Int {
        switch self {
        case .direct(let c): return c.outputSize(n)
        case .winograd: return n
        }
    }

    /// `y = epilogue(conv(x) + bias)`.
    func apply(_ x: UnsafePointer<Float>, batch: Int, size: Int, into y: UnsafeMutablePointer<Float>,
               epilogue: Epilogue, workspace ws: Workspace) {
        switch self {
        case .direct(let c):
            c.apply(x, batch: batch, height: size, width: size, into: y, col: ws.col, colCapacity: ws.colCapacity, threads: ws.threads)
            let o = c.outputSize(size)
            epilogue.apply(y, channels: c.outChannels, plane: batch * o * o, bias: c.bias, threads: ws.threads)
        case .winograd(let w):
            w.apply(x, batch: batch, height: size, width: size, into: y, epilogue: epilogue, v: ws.col, m: ws.aux,
                    capacity: ws.colCapacity, threads: ws.threads)
        }
    }
}
