import Core
import Checkpoint
import Dispatch

/// iResNet inference (docs/backbone.md) on channel-major batches, see `Convolution`.
/// BatchNorms after convolutions are folded at load time; the BatchNorm that opens each block
/// is applied while gathering the first convolution's input; PReLU and the residual add run
/// as per-channel epilogues after each sgemm.
public struct IResNet: Sendable {
    struct Block: Sendable {
        var conv1: Kernel           // bn1 on its input, bn2 folded
        var prelu: [Float]
        var conv2: Kernel           // bn3 folded
        var downsample: Convolution?
    }

    typealias Kernel = ConvolutionKernel

    public let config: IResNetConfig
    var stem: Convolution
    var stemPReLU: [Float]
    var blocks: [Block]
    var finalNorm: ChannelAffine    // bn2, produces bottleneck_feature
    var fc: Linear                  // features (BatchNorm1d) folded

    /// Builds the network from state-dict tensors named as PyTorch names them
    /// (`conv1.weight`, `layer3.7.conv2.weight`, `fc.bias`, `features.running_var`, ...).
    /// `winograd: false` computes every convolution through im2col (used to cross-check).
    public init(config: IResNetConfig, weights: WeightSet, prefix: String = "", winograd: Bool = true) throws {
        self.config = config
        var r = WeightReader(weights, prefix: prefix)
        let w = config.widths
        stem = Convolution(weight: r.take("conv1.weight", [w[0], 3, 3, 3]),
                           inChannels: 3, outChannels: w[0], kernel: 3, stride: 1, padding: 1)
        stem.fold(r.batchNorm("bn1", w[0]))
        stemPReLU = r.take("prelu.weight", [w[0]])
        blocks = []
        var c = w[0]
        for (stage, count) in config.blocks.enumerated() {
            let p = w[stage]
            for b in 0..<count {
                let name = "layer\(stage + 1).\(b)"
                let stride = b == 0 ? 2 : 1
                var conv1 = Convolution(weight: r.take("\(name).conv1.weight", [p, c, 3, 3]),
                                        inChannels: c, outChannels: p, kernel: 3, stride: 1, padding: 1)
                conv1.inputAffine = r.batchNorm("\(name).bn1", c)
                conv1.fold(r.batchNorm("\(name).bn2", p))
                let prelu = r.take("\(name).prelu.weight", [p])
                var conv2 = Convolution(weight: r.take("\(name).conv2.weight", [p, p, 3, 3]),
                                        inChannels: p, outChannels: p, kernel: 3, stride: stride, padding: 1)
                conv2.fold(r.batchNorm("\(name).bn3", p))
                var down: Convolution?
                if stride != 1 || c != p {
                    var d = Convolution(weight: r.take("\(name).downsample.0.weight", [p, c, 1, 1]),
                                        inChannels: c, outChannels: p, kernel: 1, stride: stride, padding: 0)
                    d.fold(r.batchNorm("\(name).downsample.1", p))
                    down = d
                }
                blocks.append(Block(conv1: Kernel(conv1, winograd: winograd), prelu: prelu,
                                    conv2: Kernel(conv2, winograd: winograd), downsample: down))
                c = p
            }
        }
        finalNorm = r.batchNorm("bn2", c)
        let f = config.bottleneckWidth, e = config.embeddingSize
        fc = Linear(weight: r.take("fc.weight", [e, f]), bias: r.take("fc.bias", [e]), inFeatures: f, outFeatures: e)
        fc.fold(r.batchNorm("features", e))
        try r.finish(what: "an iResNet with blocks \(config.blocks) and widths \(config.widths)")
    }

    /// Largest activation (floats per image) and largest im2col row count, for the workspace.
    var activationFloatsPerImage: Int {
        var s = config.inputSize, m = 3 * s * s, c = config.widths[0]
        m = max(m, c * s * s)
        for p in config.widths {
            m = max(m, p * s * s)       // the first conv1 of a stage runs at the incoming resolution
            s = (s - 1) / 2 + 1
            c = p
        }
        return max(m, c * s * s)
    }

    /// Runs the backbone on `batch` preprocessed images `input[N, 3, S, S]` (NCHW, as PyTorch).
    ///
    /// With several threads and at least as many images, the batch is split into one part per
    /// thread, each run with single-threaded OpenBLAS: no synchronisation inside a layer and
    /// exactly `threads` busy threads. A single image uses OpenBLAS's threads instead.
    public func forward(_ input: [Float], batch: Int, workspace: Workspace) -> BackboneOutput {
        let s0 = config.inputSize
        let per = 3 * s0 * s0
        precondition(input.count == batch * per, "input is not [\(batch), 3, \(s0), \(s0)]")
        let parts = min(workspace.threads, batch)
        guard parts > 1 else {
            Threads.configure(workspace.threads)
            return forwardPart(input, batch: batch, workspace: workspace, threads: workspace.threads)
        }
        Threads.configure(1)
        let subs = workspace.parts(parts)
        let results = UnsafeMutableBufferPointer<BackboneOutput?>.allocate(capacity: parts)
        results.initialize(repeating: nil)
        defer { results.deallocate() }
        parallelRanges(parts, threads: parts) { ps in
            let p = ps.lowerBound
            let lo = batch * p / parts, hi = batch * (p + 1) / parts
            results[p] = forwardPart(Array(input[(lo * per)..<(hi * per)]), batch: hi - lo, workspace: subs[p], threads: 1)
        }
        Threads.configure(workspace.threads)
        var feature: [Float] = [], bottleneck: [Float] = []
        feature.reserveCapacity(batch * config.embeddingSize)
        bottleneck.reserveCapacity(batch * config.bottleneckWidth)
        for r in results {
            feature += r!.feature
            bottleneck += r!.bottleneck
        }
        return BackboneOutput(batch: batch, feature: feature, bottleneck: bottleneck)
    }

    private func forwardPart(_ input: [Float], batch: Int, workspace: Workspace, threads: Int) -> BackboneOutput {
        let s0 = config.inputSize
        workspace.reserve(activation: batch * activationFloatsPerImage)
        var x = workspace.buffers[0], t = workspace.buffers[1], u = workspace.buffers[2], v = workspace.buffers[3]
        let col = workspace.col, colCapacity = workspace.colCapacity
        // NCHW -> CNHW.
        let plane0 = s0 * s0
        input.withUnsafeBufferPointer { src in
            for n in 0..<batch {
                for c in 0..<3 {
                    (t + (c * batch + n) * plane0).update(from: src.baseAddress! + (n * 3 + c) * plane0, count: plane0)
                }
            }
        }
        var s = s0
        stem.apply(t, batch: batch, height: s, width: s, into: x, col: col, colCapacity: colCapacity, threads: threads)
        Pointwise.biasPReLU(x, channels: stem.outChannels, plane: batch * s * s,
                            bias: stem.bias, slope: stemPReLU, threads: threads)
        for block in blocks {
            let p = block.prelu.count
            block.conv1.apply(x, batch: batch, size: s, into: t, epilogue: .prelu(block.prelu), workspace: workspace)
            let o = block.conv2.outputSize(s)
            var identity = UnsafePointer(x)
            if let d = block.downsample {
                d.apply(x, batch: batch, height: s, width: s, into: v, col: col, colCapacity: colCapacity, threads: threads)
                Pointwise.bias(v, channels: p, plane: batch * o * o, bias: d.bias, threads: threads)
                identity = UnsafePointer(v)
            }
            block.conv2.apply(t, batch: batch, size: s, into: u, epilogue: .residual(identity), workspace: workspace)
            swap(&x, &u)
            s = o
        }
        // bn2, then CNHW -> [N, C*H*W] (PyTorch's flatten order): the bottleneck feature.
        let c = finalNorm.count, hw = s * s, f = c * hw
        var bottleneck = [Float](repeating: 0, count: batch * f)
        bottleneck.withUnsafeMutableBufferPointer { out in
            for ch in 0..<c {
                let sc = finalNorm.scale[ch], sh = finalNorm.shift[ch]
                for n in 0..<batch {
                    let src = x + (ch * batch + n) * hw
                    let dst = out.baseAddress! + n * f + ch * hw
                    for i in 0..<hw { dst[i] = src[i] * sc + sh }
                }
            }
        }
        var feature = fc.apply(bottleneck, rows: batch)
        if config.normalized {
            let e = config.embeddingSize
            for n in 0..<batch {
                var sum: Float = 0
                for i in 0..<e { sum += feature[n * e + i] * feature[n * e + i] }
                let norm = max(sum.squareRoot(), 1e-12)
                for i in 0..<e { feature[n * e + i] /= norm }
            }
        }
        return BackboneOutput(batch: batch, feature: feature, bottleneck: bottleneck)
    }
}

/// `feature [N, E]` and `bottleneck_feature [N, C*H*W]`, row-major.
public struct BackboneOutput: Sendable {
    public let batch: Int
    public let feature: [Float]
    public let bottleneck: [Float]
}
