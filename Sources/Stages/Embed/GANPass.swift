import ArgumentParser
import Backbone
import Core
import Imaging
import Pipeline
import Store

/// The `GAN` strategy of `embed` (docs/strategies.md, GAN): the reference's StyleGAN2
/// discriminator (key `d` of a training checkpoint, size 256, channel multiplier 2) on the
/// *uncropped* decoded image of each row (the aligned image when aligning on the fly),
/// standardised with `(p - 127.5) / 128` and resized to 256 x 256 with the mirror bilinear
/// resize, once per embed batch. The stored value is `u = -D(x)`, `[N, 1]`, an uncertainty.
///
/// The minibatch-stddev channel mixes the images of a batch, so the values depend on the batch
/// size; every batch must satisfy the group rule `B mod min(B, 4) = 0`, which `checkBatches`
/// checks for the whole list before any work.
struct GANPass {
    let discriminator: StyleGAN2Discriminator
    let workspace: Workspace
    /// SHA-256 (hex) of the discriminator file, recorded in the store as `run_discriminator_sha256`.
    let digest: String

    static var side: Int { DiscriminatorConfig.reference.size }

    /// Loads the discriminator (refusing any pickled global but `argparse.Namespace`, and any
    /// missing, mis-shaped or extra key) and digests its file.
    init(checkpoint path: String, threads: Int) throws {
        discriminator = try StyleGAN2Discriminator.load(checkpoint: path)
        workspace = discriminator.makeWorkspace(threads: max(1, threads))
        digest = try sha256Hex(file: path)
    }

    /// The pass an embed run needs: nil unless strategy GAN is requested.
    init?(_ options: EmbedOptions) throws {
        guard options.strategies.items.contains(.gan) else { return nil }
        guard let file = options.discriminator else {
            throw InputError(file: options.list.path, "strategy GAN needs a discriminator checkpoint (--discriminator FILE)")
        }
        try self.init(checkpoint: file.path, threads: options.threads ?? Threads.available)
    }

    /// One-line option errors: GAN without a discriminator, a discriminator without GAN.
    static func validate(strategies: [EmbedStrategy], discriminator: InputFile?) throws {
        if strategies.contains(.gan), discriminator == nil {
            throw ValidationError("strategy GAN needs --discriminator FILE (a StyleGAN2 training checkpoint with key 'd')")
        }
        if !strategies.contains(.gan), discriminator != nil {
            throw ValidationError("--discriminator is used only by strategy GAN (add GAN to the strategies or leave it out)")
        }
    }

    /// The run setting that ties a partial store to this discriminator (docs/store.md).
    var runSetting: RunSetting {
        RunSetting(key: "run_discriminator_sha256", name: "discriminator", value: .string(digest))
    }

    /// Refuses, with one line naming the counts, a list of `count` images whose batches of
    /// `batch` include one that the minibatch-stddev groups cannot split (the reference
    /// crashes there; docs/strategies.md, GAN). Batch size 4 always works.
    static func checkBatches(count: Int, batch: Int, list: String) throws {
        let last = count % batch
        let sizes = (count >= batch ? [batch] : []) + (last > 0 ? [last] : [])
        guard let bad = sizes.first(where: { !StyleGAN2Discriminator.canGroup(batch: $0) }) else { return }
        throw InputError(file: list, "strategy GAN: \(count) images in batches of \(batch) give a final batch of \(last == 0 ? batch : last), and a batch of \(bad) cannot be split into minibatch-stddev groups (a batch of B needs B divisible by min(B, 4)); use batch size 4 (--batch 4), which always works")
    }

    /// The discriminator input of one image: planar `[3, 256, 256]`.
    static func input(_ image: RGBImage) -> [Float] {
        image.pixels.withUnsafeBufferPointer {
            GANResize.planarInput(rgb: $0, height: image.height, width: image.width, size: side)
        }
    }

    /// `-D(x)` for `batch` images `[batch, 3, 256, 256]` forming one embed batch.
    func values(_ input: [Float], batch: Int) -> [Float] {
        discriminator.forward(input, batch: batch, workspace: workspace)
    }
}
