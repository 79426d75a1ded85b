import ArgumentParser
import Backbone
import Core
import Imaging
import Store

/// The `blurred_scale` strategy of `embed` (docs/strategies.md, "blurred_scale"): each
/// (center-cropped or aligned) crop is blurred with scipy's `gaussian_filter` at sigma
/// `--blur-intensity` on all three axes, colour included (`GaussianBlur`), standardised like
/// the unblurred input, and run through the backbone a second time; the scale predictor on
/// that pass's bottleneck is stored as `/uncertainty/blurred_scale`, a confidence. The stored
/// embeddings (and every other strategy) stay those of the unblurred image, so a run with
/// `blurred_scale` costs one extra backbone pass per image.
struct BlurredPass {
    /// The sigma of the shipped `blurred.yaml` (`blur_intensity: 3`).
    static let defaultIntensity = 3.0
    /// Sigmas above this are refused (a kernel radius of 4 * 64: far beyond any crop).
    static let maxIntensity = 64.0

    let blur: GaussianBlur

    /// The pass an embed run needs: nil unless strategy blurred_scale is requested.
    init?(_ options: EmbedOptions) {
        guard options.strategies.items.contains(.blurredScale) else { return nil }
        blur = GaussianBlur(sigma: options.blurIntensity ?? Self.defaultIntensity)
    }

    /// One-line option errors: a blur intensity without blurred_scale, or out of range.
    static func validate(strategies: [EmbedStrategy], intensity: Double?) throws {
        guard let intensity else { return }
        if !strategies.contains(.blurredScale) {
            throw ValidationError("--blur-intensity is used only by strategy blurred_scale (add blurred_scale to the strategies or leave it out)")
        }
        guard intensity.isFinite, intensity >= 0, intensity <= maxIntensity else {
            throw ValidationError("--blur-intensity must be a sigma between 0 and \(Int(maxIntensity)) (got \(intensity))")
        }
    }

    /// The run setting that ties a partial store to this sigma, kept in the finished store
    /// as the root attribute `run_blur_intensity` (docs/store.md).
    var runSetting: RunSetting {
        RunSetting(key: "run_blur_intensity", name: "blur intensity", value: .string("\(blur.sigma)"))
    }

    /// The blurred crop, standardised into planar `[3, size, size]` at `out`.
    func input(_ image: RGBImage, preprocess: Preprocess, into out: UnsafeMutablePointer<Float>) {
        let blurred = blur.apply(image)
        blurred.pixels.withUnsafeBufferPointer {
            preprocess.planar(rgb: $0, height: image.height, width: image.width, into: out)
        }
    }

    /// `blurred_scale` for one batch: the backbone and scale predictor on the blurred input.
    static func values(_ input: [Float], batch: Int, model: EmbeddingModel, workspace: Workspace) -> [Float] {
        let out = model.backbone.forward(input, batch: batch, workspace: workspace)
        return model.values(of: .blurredScale, out, input: input, workspace: workspace)
    }
}
