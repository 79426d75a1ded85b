/// The geometry of a StyleGAN2 discriminator (docs/strategies.md, GAN): input side `size` (a
/// power of two, at least 8) and the channel count at each resolution from `size` down to 4.
/// The reference builds `StyleGanDiscriminator()` with its defaults, `stylegan2()`: size 256,
/// channel multiplier 2. Smaller geometries exist for compact test fixtures only.
public struct DiscriminatorConfig: Sendable, Equatable {
    public let size: Int
    /// Channels by resolution; must hold every power of two from 4 to `size`.
    public let channels: [Int: Int]

    public init?(size: Int, channels: [Int: Int]) {
        guard size >= 8, size & (size - 1) == 0 else { return nil }
        var r = size
        while r >= 4 {
            guard let c = channels[r], c >= 1 else { return nil }
            r /= 2
        }
        self.size = size
        self.channels = channels
    }

    /// StyleGAN2's channel table `{4..32: 512, 64: 256 cm, 128: 128 cm, 256: 64 cm, 512: 32 cm, 1024: 16 cm}`.
    public static func stylegan2(size: Int = 256, channelMultiplier cm: Int = 2) -> DiscriminatorConfig? {
        DiscriminatorConfig(size: size, channels: [4: 512, 8: 512, 16: 512, 32: 512, 64: 256 * cm, 128: 128 * cm,
                                                   256: 64 * cm, 512: 32 * cm, 1024: 16 * cm])
    }

    /// The reference's discriminator: size 256, channel multiplier 2 (28,864,129 parameters).
    public static let reference = stylegan2()!

    /// `(in, out)` channels of `convs.1 ...`: one ResBlock per halving from `size` to 4.
    var resBlocks: [(inChannels: Int, outChannels: Int)] {
        var out: [(Int, Int)] = []
        var r = size
        while r > 4 {
            out.append((channels[r]!, channels[r / 2]!))
            r /= 2
        }
        return out
    }

    /// Channels of the 4 x 4 stage (before the minibatch-stddev channel is appended).
    var finalChannels: Int { channels[4]! }
}
