import Checkpoint
import Core

/// The reference's StyleGAN2 discriminator (rosinality's `Discriminator`, negated), returning
/// the GAN strategy's uncertainty `u = -D(x)` per image (docs/strategies.md, GAN).
///
/// Equalized learning rate: each convolution's weight is multiplied by `1 / sqrt(in * k^2)`
/// and each linear layer's by `1 / sqrt(in)` once at load time (in Float, as PyTorch's
/// per-forward `W * scale`). Fused leaky ReLU is `leaky_relu(x + b, 0.2) * sqrt(2)`, applied
/// as the convolutions' epilogue. A ResBlock is `(conv2(blur(conv1(x))) + skip(blur(x))) / sqrt(2)`
/// with the blur pads (2, 2) and (1, 1). Activations are channel-major `[C, N, H, W]` as in
/// `Convolution`; stride-1 3 x 3 convolutions run as Winograd.
public struct StyleGAN2Discriminator: Sendable {
    struct ResBlock: Sendable {
        let inChannels: Int
        let outChannels: Int
        let conv1: ConvolutionKernel   // 3 x 3, stride 1, pad 1, fused leaky ReLU
        let blur: Blur                 // pads (2, 2)
        let conv2: ConvolutionKernel   // 3 x 3, stride 2, pad 0, fused leaky ReLU
        let skipBlur: Blur             // pads (1, 1), even samples only
        let skip: ConvolutionKernel    // 1 x 1 on those samples (the stride-2 1 x 1 conv), no bias
    }

    static let slope: Float = 0.2
    static let gain = Float(2.0.squareRoot())
    static var fused: Epilogue { .leakyReLU(slope: slope, gain: gain) }

    public let config: DiscriminatorConfig
    let stem: ConvolutionKernel        // convs.0: 1 x 1, fused leaky ReLU
    let blocks: [ResBlock]
    let finalConv: ConvolutionKernel   // (C4 + 1) -> C4, 3 x 3, fused leaky ReLU
    let linear0: Linear                // C4 * 16 -> C4, fused leaky ReLU
    let linear1: Linear                // C4 -> 1

    /// Builds the network from state-dict tensors named as the reference names them
    /// (`convs.1.conv2.0.kernel`, `final_linear.0.weight`, ...; docs/strategies.md, GAN). Every
    /// key must be present with its shape, including the blur `kernel` buffers, and no other
    /// key may be there; one error names every problem, with `prefix` (`d`) in front.
    public init(config: DiscriminatorConfig = .reference, weights: WeightSet, prefix: String = "") throws {
        self.config = config
        var r = WeightReader(weights, prefix: prefix)
        func conv(_ name: String, _ cin: Int, _ cout: Int, _ k: Int, stride: Int, padding: Int, bias: String?) -> ConvolutionKernel {
            let s = Float(1 / Double(cin * k * k).squareRoot())
            var c = Convolution(weight: r.take(name, [cout, cin, k, k]).map { $0 * s },
                                inChannels: cin, outChannels: cout, kernel: k, stride: stride, padding: padding)
            if let bias { c.bias = r.take(bias, [cout]) }
            return ConvolutionKernel(c, winograd: true)
        }
        func linear(_ name: String, _ fin: Int, _ fout: Int) -> Linear {
            let s = Float(1 / Double(fin).squareRoot())
            return Linear(weight: r.take("\(name).weight", [fout, fin]).map { $0 * s }, bias: r.take("\(name).bias", [fout]),
                          inFeatures: fin, outFeatures: fout)
        }
        let c0 = config.channels[config.size]!
        stem = conv("convs.0.0.weight", 3, c0, 1, stride: 1, padding: 0, bias: "convs.0.1.bias")
        var blocks: [ResBlock] = []
        for (j, (cin, cout)) in config.resBlocks.enumerated() {
            let p = "convs.\(j + 1)"
            blocks.append(ResBlock(
                inChannels: cin, outChannels: cout,
                conv1: conv("\(p).conv1.0.weight", cin, cin, 3, stride: 1, padding: 1, bias: "\(p).conv1.1.bias"),
                blur: Blur(kernel: r.take("\(p).conv2.0.kernel", [4, 4]), pad0: 2, pad1: 2, step: 1),
                conv2: conv("\(p).conv2.1.weight", cin, cout, 3, stride: 2, padding: 0, bias: "\(p).conv2.2.bias"),
                skipBlur: Blur(kernel: r.take("\(p).skip.0.kernel", [4, 4]), pad0: 1, pad1: 1, step: 2),
                skip: conv("\(p).skip.1.weight", cin, cout, 1, stride: 1, padding: 0, bias: nil)))
        }
        self.blocks = blocks
        let c4 = config.finalChannels
        finalConv = conv("final_conv.0.weight", c4 + 1, c4, 3, stride: 1, padding: 1, bias: "final_conv.1.bias")
        linear0 = linear("final_linear.0", c4 * 16, c4)
        linear1 = linear("final_linear.1", c4, 1)
        let table = config.channels.keys.sorted().filter { $0 <= config.size }.map { "\($0): \(config.channels[$0]!)" }
        try r.finish(what: "a StyleGAN2 discriminator of size \(config.size) (channels \(table.joined(separator: ", ")))")
    }

    /// Loads key `d` of a rosinality StyleGAN2 training checkpoint (`g`, `d`, `g_ema`, `g_optim`,
    /// `d_optim`, `args`); only the `d` tensors are read into memory.
    public static func load(checkpoint path: String, config: DiscriminatorConfig = .reference) throws -> StyleGAN2Discriminator {
        let weights = try Checkpoint.load(path: path, section: "d")
        guard weights.hasSection("d") else {
            throw InputError(file: path, "has no tensors under key 'd' (expected a StyleGAN2 training checkpoint with 'g', 'd', 'g_ema', 'args')")
        }
        return try StyleGAN2Discriminator(config: config, weights: weights.section("d"), prefix: "d")
    }

    /// Whether `forward` can take a batch of `n` images: the minibatch-stddev rule needs
    /// `n mod min(n, 4) == 0` (the reference raises otherwise; docs/strategies.md, GAN).
    public static func canGroup(batch n: Int) -> Bool { MinibatchStddev.canGroup(batch: n) }

    /// A workspace whose scratch buffers hold the largest per-image im2col or Winograd block.
    public func makeWorkspace(threads: Int) -> Workspace {
        var need = 0, s = config.size
        func account(_ k: ConvolutionKernel, _ size: Int) {
            switch k {
            case .direct(let c): let o = c.outputSize(size); need = max(need, c.rows * o * o)
            case .winograd(let w): let t = (size + 1) / 2; need = max(need, 16 * max(w.inChannels, w.outChannels) * t * t)
            }
        }
        account(stem, s)
        for b in blocks {
            account(b.conv1, s)
            account(b.conv2, b.blur.outputSize(s))
            s /= 2
            account(b.skip, s)
        }
        account(finalConv, 4)
        return Workspace(threads: threads, colCapacity: need)
    }

    /// Largest activation of one image, in floats (the blurred conv1 output dominates).
    var activationFloatsPerImage: Int {
        var m = 3 * config.size * config.size, s = config.size
        m = max(m, config.channels[s]! * s * s)
        for (cin, cout) in config.resBlocks {
            m = max(m, cin * (s + 1) * (s + 1), cout * (s / 2) * (s / 2))
            s /= 2
        }
        return max(m, (config.finalChannels + 1) * 16)
    }

    /// `u = -D(x)` for `batch` images `input[N, 3, S, S]` (NCHW, preprocessed as
    /// `GANPreprocess` does). Requires `canGroup(batch:)`. The images pass the convolutions
    /// independently (split between threads as `IResNet.forward` does); they meet only in the
    /// minibatch-stddev channel, so the result depends on the batch (docs/strategies.md, GAN).
    /// Each thread runs its images one at a time, so the scratch memory grows with the thread
    /// count, not the batch (about 135 MB per thread at 256 x 256).
    public func forward(_ input: [Float], batch: Int, workspace: Workspace) -> [Float] {
        let s0 = config.size, per = 3 * s0 * s0
        precondition(input.count == batch * per, "input is not [\(batch), 3, \(s0), \(s0)]")
        precondition(Self.canGroup(batch: batch), "batch \(batch) cannot be split into minibatch-stddev groups")
        let c4 = config.finalChannels
        var features = [Float](repeating: 0, count: (c4 + 1) * batch * 16)
        let parts = min(workspace.threads, batch)
        features.withUnsafeMutableBufferPointer { f in
            let out = f.baseAddress!
            if parts > 1 {
                Threads.configure(1)
                let subs = workspace.parts(parts)
                parallelRanges(parts, threads: parts) { ps in
                    let p = ps.lowerBound
                    for image in (batch * p / parts)..<(batch * (p + 1) / parts) {
                        convolutions(input, images: image..<(image + 1), batch: batch, into: out, workspace: subs[p], threads: 1)
                    }
                }
            }
            Threads.configure(workspace.threads)
            if parts <= 1 {
                for image in 0..<batch {
                    convolutions(input, images: image..<(image + 1), batch: batch, into: out, workspace: workspace,
                                 threads: workspace.threads)
                }
            }
            MinibatchStddev.append(out, channels: c4, batch: batch, plane: 16)
        }
        return head(features, batch: batch, workspace: workspace)
    }

    /// `convs.0 ... convs.last` for `images` of the batch; writes their `[C4, 4, 4]` maps into
    /// the batch-wide CNHW `features[C4 + 1, batch, 16]`.
    private func convolutions(_ input: [Float], images: Range<Int>, batch: Int, into features: UnsafeMutablePointer<Float>,
                              workspace ws: Workspace, threads: Int) {
        let n = images.count, s0 = config.size, plane0 = s0 * s0
        ws.reserve(activation: n * activationFloatsPerImage)
        var x = ws.buffers[0], t = ws.buffers[1], u = ws.buffers[2], v = ws.buffers[3]
        input.withUnsafeBufferPointer { src in       // NCHW -> CNHW
            for (i, img) in images.enumerated() {
                for c in 0..<3 { (t + (c * n + i) * plane0).update(from: src.baseAddress! + (img * 3 + c) * plane0, count: plane0) }
            }
        }
        stem.apply(t, batch: n, size: s0, into: x, epilogue: Self.fused, workspace: ws)
        var s = s0
        let sqrt2 = Float(2.0.squareRoot())
        for b in blocks {
            let cin = b.inChannels
            b.conv1.apply(x, batch: n, size: s, into: t, epilogue: Self.fused, workspace: ws)
            let sb = b.blur.outputSize(s)
            b.blur.apply(t, planes: cin * n, height: s, width: s, into: u, threads: threads)
            b.conv2.apply(u, batch: n, size: sb, into: v, epilogue: Self.fused, workspace: ws)
            let o = s / 2
            b.skipBlur.apply(x, planes: cin * n, height: s, width: s, into: t, threads: threads)
            b.skip.apply(t, batch: n, size: o, into: u, epilogue: .none, workspace: ws)
            let rows = n * o * o
            parallelRanges(b.outChannels, threads: threads) { range in
                for i in (range.lowerBound * rows)..<(range.upperBound * rows) { v[i] = (v[i] + u[i]) / sqrt2 }
            }
            swap(&x, &v)
            s = o
        }
        let c4 = config.finalChannels
        for c in 0..<c4 {
            for (i, img) in images.enumerated() {
                (features + (c * batch + img) * 16).update(from: x + (c * n + i) * 16, count: 16)
            }
        }
    }

    /// `final_conv`, flatten (`c * 16 + h * 4 + w`), `final_linear.0/1`, negated.
    private func head(_ features: [Float], batch: Int, workspace ws: Workspace) -> [Float] {
        let c4 = config.finalChannels
        ws.reserve(activation: (c4 + 1) * batch * 16)
        let y = ws.buffers[0]
        features.withUnsafeBufferPointer { f in
            finalConv.apply(f.baseAddress!, batch: batch, size: 4, into: y, epilogue: Self.fused, workspace: ws)
        }
        var flat = [Float](repeating: 0, count: batch * c4 * 16)
        for c in 0..<c4 {
            for n in 0..<batch {
                for p in 0..<16 { flat[n * c4 * 16 + c * 16 + p] = y[(c * batch + n) * 16 + p] }
            }
        }
        let hidden = linear0.apply(flat, rows: batch).map { v in (v > 0 ? v : v * Self.slope) * Self.gain }
        return linear1.apply(hidden, rows: batch).map { -$0 }
    }
}
