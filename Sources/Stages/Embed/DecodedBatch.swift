/// One embed batch as the decoding thread hands it over: the backbone's planar input
/// `[n, 3, size, size]`, and for strategy GAN the discriminator's `[n, 3, 256, 256]`
/// (`GANPass.input`; empty otherwise), and for strategy blurred_scale the blurred crops
/// `[n, 3, size, size]` (`BlurredPass.input`; empty otherwise).
struct DecodedBatch {
    var network: [Float]
    var gan: [Float]
    var blurred: [Float]
}
