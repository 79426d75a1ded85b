import Core
import Imaging
import Foundation

/// What stays fixed for one synthetic person: face geometry in the canonical 112 x 112 frame
/// (the ArcFace crop's coordinates, so the five landmarks sit near `AlignmentTemplate.arcface112`)
/// and colours.
struct FaceIdentity {
    enum HairStyle: CaseIterable { case short, long, bald, fringe }

    var faceCenter: SIMD2<Double>
    var faceRadii: SIMD2<Double>
    /// Jaw: a second ellipse below the cheeks whose width sets the chin's shape.
    var jawWidth: Double
    var jawDrop: Double
    var eyeY: Double
    var eyeHalfSpacing: Double
    var eyeRadii: SIMD2<Double>
    var irisRadius: Double
    var browRaise: Double
    var browLength: Double
    var browThickness: Double
    var browTilt: Double
    var noseTipY: Double
    var noseWidth: Double
    var mouthY: Double
    var mouthHalfWidth: Double
    var lipThickness: Double
    var skin: FaceColor
    var hair: FaceColor
    var iris: FaceColor
    var lips: FaceColor
    var hairStyle: HairStyle
    var hairlineY: Double
    var hairlineTilt: Double
    var hairVolume: Double
    var beard: Bool
    var moustache: Bool
    var glasses: FaceColor?
    /// Moles or freckles: canonical positions and radii.
    var marks: [(SIMD2<Double>, Double)]

    init(rng: inout SplitMix64) {
        faceCenter = SIMD2(56 + rng.uniform(-1.5, 1.5), 64 + rng.uniform(-3, 3))
        faceRadii = SIMD2(rng.uniform(33, 42), rng.uniform(42, 53))
        jawWidth = rng.uniform(0.55, 0.95)
        jawDrop = rng.uniform(0.25, 0.45)
        eyeY = 51.6 + rng.uniform(-3, 3)
        eyeHalfSpacing = rng.uniform(15, 20)
        eyeRadii = SIMD2(rng.uniform(5, 7.5), 0)
        eyeRadii.y = eyeRadii.x * rng.uniform(0.42, 0.62)
        irisRadius = eyeRadii.y * rng.uniform(0.85, 1.1)
        browRaise = rng.uniform(6.5, 11)
        browLength = eyeRadii.x * rng.uniform(1.5, 2.2)
        browThickness = rng.uniform(1.0, 2.4)
        browTilt = rng.uniform(-0.3, 0.25)
        noseTipY = 71.7 + rng.uniform(-3, 3)
        noseWidth = rng.uniform(4.5, 9)
        mouthY = 92.3 + rng.uniform(-3, 3)
        mouthHalfWidth = rng.uniform(11, 17)
        lipThickness = rng.uniform(2.2, 5)

        // Skin from light to dark along a warm axis, with a little hue jitter.
        let t = rng.uniform(0, 1)
        let light = FaceColor(245, 214, 190), dark = FaceColor(88, 56, 38)
        skin = light.mixed(with: dark, Float(t))
        skin = FaceColor(skin.r * Float(rng.uniform(0.94, 1.06)), skin.g * Float(rng.uniform(0.94, 1.04)),
                         skin.b * Float(rng.uniform(0.9, 1.08)))
        let hairPalette = [FaceColor(25, 20, 20), FaceColor(65, 40, 25), FaceColor(115, 75, 45), FaceColor(205, 170, 100),
                           FaceColor(150, 60, 30), FaceColor(160, 160, 158), FaceColor(230, 228, 220), FaceColor(95, 70, 60)]
        let h = hairPalette[rng.index(below: hairPalette.count)]
        hair = h.scaled(Float(rng.uniform(0.85, 1.15)))
        let irisPalette = [FaceColor(70, 40, 20), FaceColor(40, 25, 15), FaceColor(60, 110, 170), FaceColor(80, 130, 80),
                           FaceColor(120, 120, 130), FaceColor(130, 90, 40)]
        iris = irisPalette[rng.index(below: irisPalette.count)]
        lips = skin.mixed(with: FaceColor(165, 55, 65), Float(rng.uniform(0.45, 0.8)))
        hairStyle = HairStyle.allCases[rng.index(below: HairStyle.allCases.count)]
        hairlineY = eyeY - rng.uniform(17, 29)
        hairlineTilt = rng.uniform(-0.35, 0.35)
        hairVolume = rng.uniform(1.04, 1.25)
        beard = rng.chance(0.18)
        moustache = beard || rng.chance(0.1)
        glasses = rng.chance(0.2) ? [FaceColor(20, 20, 20), FaceColor(120, 70, 30), FaceColor(170, 170, 180),
                                      FaceColor(140, 20, 30)][rng.index(below: 4)] : nil
        var marks: [(SIMD2<Double>, Double)] = []
        let markCount = rng.chance(0.35) ? 1 + rng.index(below: rng.chance(0.3) ? 12 : 2) : 0
        for _ in 0..<markCount {
            marks.append((SIMD2(56 + rng.uniform(-26, 26), rng.uniform(58, 96)), rng.uniform(0.6, 1.4)))
        }
        self.marks = marks
    }
}

/// What changes from one picture of a person to the next: pose in the raw canvas, a yaw-like
/// turn, expression, lighting, background and clothes. Pictures of one media (a video or a
/// photo session) share background, clothes and lighting and have similar poses.
struct FaceShot {
    /// Canonical frame -> raw canvas.
    var pose: SimilarityTransform
    /// In -1...1: positive turns the face to its left (features shift right in the image).
    var yaw: Double
    var smile: Double
    var mouthOpen: Double
    var lightDirection: Double
    var lightStrength: Double
    var brightness: Double
    var background: FaceColor
    var backgroundBottom: FaceColor
    var clothes: FaceColor

    /// The shared part of a media: background, clothes, light and a base pose.
    struct Media {
        var rotation: Double, scale: Double, shift: SIMD2<Double>, yaw: Double
        var lightDirection: Double, lightStrength: Double, brightness: Double
        var background: FaceColor, backgroundBottom: FaceColor, clothes: FaceColor

        init(rng: inout SplitMix64) {
            rotation = rng.uniform(-22, 22) * Double.pi / 180
            scale = rng.uniform(0.85, 1.12)
            shift = SIMD2(rng.uniform(-11, 11), rng.uniform(-11, 11))
            yaw = rng.uniform(-0.7, 0.7)
            lightDirection = rng.uniform(0, 2 * Double.pi)
            lightStrength = rng.uniform(0, 0.3)
            brightness = rng.uniform(0.88, 1.08)
            background = FaceColor(Float(rng.uniform(30, 230)), Float(rng.uniform(30, 230)), Float(rng.uniform(30, 230)))
            backgroundBottom = background.mixed(with: FaceColor(Float(rng.uniform(0, 255)), Float(rng.uniform(0, 255)),
                                                                Float(rng.uniform(0, 255))), Float(rng.uniform(0, 0.6)))
            clothes = FaceColor(Float(rng.uniform(10, 240)), Float(rng.uniform(10, 240)), Float(rng.uniform(10, 240)))
        }
    }

    /// A picture in `media`, posed in a `rawSize` canvas whose face frame is `faceSize` wide
    /// (the canonical 112 frame maps to about `faceSize` raw pixels).
    init(media: Media, rawSize: Int, faceSize: Int, rng: inout SplitMix64) {
        let unit = Double(faceSize) / 112
        let rotation = media.rotation + rng.uniform(-5, 5) * Double.pi / 180
        let scale = unit * media.scale * rng.uniform(0.96, 1.04)
        let shift = (media.shift + SIMD2(rng.uniform(-3, 3), rng.uniform(-3, 3))) * unit
        let centre = SIMD2(Double(rawSize) / 2, Double(rawSize) / 2) + shift
        // The canonical point (56, 60), between the eyes and the mouth, goes to `centre`.
        let r = SimilarityTransform(scale: scale, rotation: rotation, translation: SIMD2(0, 0))
        let c = r.apply(SIMD2(56, 60))
        pose = SimilarityTransform(a: r.a, b: r.b, tx: centre.x - c.x, ty: centre.y - c.y)
        yaw = max(-1, min(1, media.yaw + rng.uniform(-0.15, 0.15)))
        smile = rng.uniform(-0.3, 1)
        mouthOpen = rng.chance(0.2) ? rng.uniform(0.3, 1) : 0
        lightDirection = media.lightDirection
        lightStrength = media.lightStrength
        brightness = media.brightness * rng.uniform(0.97, 1.03)
        background = media.background
        backgroundBottom = media.backgroundBottom
        clothes = media.clothes
    }
}
