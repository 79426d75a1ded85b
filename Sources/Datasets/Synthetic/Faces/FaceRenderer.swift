import Foundation

/// A rendered, not yet degraded picture with its exact landmarks in raw-canvas pixels.
struct RenderedFace {
    var canvas: FaceCanvas
    /// Left eye, right eye, nose tip, left and right mouth corners (image left to right),
    /// exactly where they were drawn.
    var landmarks: [SIMD2<Double>]
    /// The face oval's centre and its larger radius in raw pixels (where occluders go).
    var faceCenter: SIMD2<Double>
    var faceRadius: Double
}

/// Draws a face from an identity and a shot. Shapes are laid out in the canonical 112 frame,
/// bent by the yaw-like turn there, then mapped to the raw canvas by the shot's pose (a
/// similarity keeps ellipses ellipses, so drawing stays exact and anti-aliased).
enum FaceRenderer {
    static func render(_ id: FaceIdentity, _ shot: FaceShot, rawSize: Int) -> RenderedFace {
        var canvas = FaceCanvas(width: rawSize, height: rawSize, color: shot.background)
        let pose = shot.pose
        let yaw = shot.yaw
        let cx = id.faceCenter.x
        // The turn: points nearer the camera (depth up to 1 at the nose tip) move sideways
        // more, and the whole face narrows a little.
        func turned(_ p: SIMD2<Double>, _ depth: Double) -> SIMD2<Double> {
            SIMD2(cx + (p.x - cx) * (1 - 0.1 * abs(yaw)) + yaw * depth * 7, p.y)
        }
        // The side turning away (right when yaw > 0) looks smaller.
        func sideScale(_ side: Double) -> Double { 1 - 0.28 * max(0, side * yaw) }
        var strokes: [FaceStroke] = []
        func add(_ s: FaceShape, _ c: FaceColor, clip: FaceShape? = nil, opacity: Float = 1, feather: Double = 1) {
            strokes.append(FaceStroke(shape: s, clip: clip, color: c, opacity: opacity, feather: feather))
        }
        let skin = id.skin, fr = id.faceRadii
        let faceC = turned(id.faceCenter, -0.25)

        // Background gradient: a very soft half-plane towards the bottom colour.
        strokes.append(FaceStroke(shape: .halfPlane(normal: SIMD2(0, -1), offset: -90), clip: nil,
                                  color: shot.backgroundBottom, opacity: 1, feather: 120))
        let hairC = SIMD2(faceC.x, faceC.y - fr.y * 0.12)
        let hairR = SIMD2(fr.x * id.hairVolume, fr.y * id.hairVolume * 0.95)
        if id.hairStyle == .long {
            add(.ellipse(center: SIMD2(faceC.x, faceC.y + 14), rx: hairR.x * 1.08, ry: fr.y * 1.2, angle: 0), id.hair)
        }
        // Neck and shoulders.
        add(.capsule(a: SIMD2(faceC.x, faceC.y + fr.y * 0.5), b: SIMD2(faceC.x, faceC.y + fr.y + 24), radius: fr.x * 0.5),
            skin.scaled(0.82))
        add(.ellipse(center: SIMD2(faceC.x, faceC.y + fr.y + 48), rx: 74, ry: 34, angle: 0), shot.clothes)
        if id.hairStyle != .bald {
            add(.ellipse(center: hairC, rx: hairR.x, ry: hairR.y, angle: 0), id.hair)
        }
        // Ears, the far one partly hidden.
        for side in [-1.0, 1.0] {
            let s = sideScale(side)
            add(.ellipse(center: turned(SIMD2(cx + side * fr.x * 0.97, id.eyeY + 8), -0.2),
                         rx: 4.5 * s, ry: 8.5, angle: side * 0.15), skin.scaled(0.9))
        }
        // Face: oval and jaw, darker at the rim with a soft lighter centre.
        let jawC = SIMD2(faceC.x, faceC.y + fr.y * id.jawDrop)
        let jawR = SIMD2(fr.x * id.jawWidth, fr.y * (1 - id.jawDrop) * 1.02)
        add(.ellipse(center: faceC, rx: fr.x, ry: fr.y, angle: 0), skin.scaled(0.86))
        add(.ellipse(center: jawC, rx: jawR.x, ry: jawR.y, angle: 0), skin.scaled(0.86))
        add(.ellipse(center: faceC, rx: fr.x * 0.82, ry: fr.y * 0.86, angle: 0), skin, feather: 9)
        // Hair over the forehead, above a tilted hairline.
        if id.hairStyle != .bald {
            let hairline = id.hairStyle == .fringe ? id.eyeY - 11 : id.hairlineY
            let n = SIMD2(sin(id.hairlineTilt), cos(id.hairlineTilt))   // "below" direction
            let offset = (n * SIMD2(cx, hairline)).sum()
            add(.ellipse(center: hairC, rx: hairR.x, ry: hairR.y, angle: 0), id.hair,
                clip: .halfPlane(normal: n, offset: offset))
        }
        if id.beard {
            add(.ellipse(center: faceC, rx: fr.x * 1.01, ry: fr.y * 1.01, angle: 0), id.hair,
                clip: .halfPlane(normal: SIMD2(0, -1), offset: -(id.noseTipY + 5)), opacity: 0.85)
            add(.ellipse(center: jawC, rx: jawR.x * 1.01, ry: jawR.y * 1.01, angle: 0), id.hair,
                clip: .halfPlane(normal: SIMD2(0, -1), offset: -(id.noseTipY + 5)), opacity: 0.85)
        }
        // Eyes and brows.
        var eyes: [SIMD2<Double>] = []
        for side in [-1.0, 1.0] {
            let s = sideScale(side)
            let e = turned(SIMD2(cx + side * id.eyeHalfSpacing, id.eyeY), 0.45)
            eyes.append(e)
            let rx = id.eyeRadii.x * s, ry = id.eyeRadii.y
            let sclera = FaceShape.ellipse(center: e, rx: rx, ry: ry, angle: 0)
            add(sclera, FaceColor(238, 236, 230))
            let irisC = e + SIMD2(yaw * 1.2, 0)
            add(.ellipse(center: irisC, rx: id.irisRadius * s, ry: id.irisRadius, angle: 0), id.iris, clip: sclera)
            add(.ellipse(center: irisC, rx: id.irisRadius * 0.45 * s, ry: id.irisRadius * 0.45, angle: 0),
                FaceColor(12, 10, 10), clip: sclera)
            add(.ellipseOutline(center: e, rx: rx, ry: ry, angle: 0, halfWidth: 0.45), skin.scaled(0.45),
                clip: .halfPlane(normal: SIMD2(0, 1), offset: e.y))
            let b = turned(SIMD2(cx + side * id.eyeHalfSpacing, id.eyeY - id.browRaise), 0.45)
            let half = id.browLength / 2 * s
            let tilt = id.browTilt * side
            add(.capsule(a: b + SIMD2(-half * cos(tilt), -half * sin(tilt)),
                         b: b + SIMD2(half * cos(tilt), half * sin(tilt)), radius: id.browThickness),
                id.hair.mixed(with: FaceColor(20, 15, 15), 0.4))
        }
        if let frame = id.glasses {
            for (k, e) in eyes.enumerated() {
                let s = sideScale(k == 0 ? -1 : 1)
                add(.ellipseOutline(center: e, rx: id.eyeRadii.x * 1.7 * s, ry: id.eyeRadii.x * 1.3, angle: 0, halfWidth: 0.9), frame)
            }
            let inner0 = eyes[0] + SIMD2(id.eyeRadii.x * 1.7 * sideScale(-1), -1)
            let inner1 = eyes[1] - SIMD2(id.eyeRadii.x * 1.7 * sideScale(1), 1)
            add(.capsule(a: inner0, b: inner1, radius: 0.8), frame)
        }
        // Nose.
        let tip = turned(SIMD2(cx, id.noseTipY), 1.0)
        let bridgeTop = turned(SIMD2(cx, id.eyeY + 5), 0.6)
        add(.capsule(a: bridgeTop, b: tip - SIMD2(0, 3), radius: 1.0), skin.scaled(0.78), opacity: 0.55, feather: 1.5)
        add(.ellipse(center: tip, rx: id.noseWidth * 0.45, ry: 3, angle: 0), skin.scaled(0.93), feather: 2)
        for side in [-1.0, 1.0] {
            add(.ellipse(center: tip + SIMD2(side * id.noseWidth * 0.35 * sideScale(side), 1.8), rx: 1.6, ry: 1.0, angle: 0),
                skin.scaled(0.45))
        }
        // Mouth: a bent lip line between the corners (corners rise with a smile), open or not.
        let cornerY = id.mouthY - shot.smile * 1.5
        let corners = [turned(SIMD2(cx - id.mouthHalfWidth, cornerY), 0.55),
                       turned(SIMD2(cx + id.mouthHalfWidth, cornerY), 0.55)]
        let control = turned(SIMD2(cx, id.mouthY + shot.smile * 3), 0.6)
        if shot.mouthOpen > 0 {
            add(.ellipse(center: (corners[0] + corners[1]) / 2 + SIMD2(0, 1.5 + shot.smile),
                         rx: id.mouthHalfWidth * 0.75, ry: 1 + 4 * shot.mouthOpen, angle: 0), FaceColor(70, 22, 28))
        }
        if id.moustache {
            add(.capsule(a: corners[0] + SIMD2(1, -4), b: corners[1] + SIMD2(-1, -4), radius: 2.2), id.hair, opacity: 0.9)
        }
        var previous = corners[0]
        for k in 1...8 {
            let t = Double(k) / 8
            let p = corners[0] * ((1 - t) * (1 - t)) + control * (2 * t * (1 - t)) + corners[1] * (t * t)
            let thickness = id.lipThickness * (0.45 + 0.55 * sin(Double.pi * (t - 1.0 / 16)))
            add(.capsule(a: previous, b: p, radius: max(0.7, thickness / 2)), id.lips)
            previous = p
        }
        for (p, r) in id.marks {
            add(.ellipse(center: turned(p, 0.3), rx: r, ry: r, angle: 0), skin.scaled(0.55), opacity: 0.8)
        }

        for s in strokes { canvas.paint(s.mapped(by: pose)) }
        let centerRaw = pose.apply(faceC)
        let radiusRaw = max(fr.x, fr.y) * pose.scale
        applyLight(&canvas, shot: shot, center: centerRaw, radius: radiusRaw)
        let landmarks = [eyes[0], eyes[1], tip, corners[0], corners[1]].map(pose.apply)
        return RenderedFace(canvas: canvas, landmarks: landmarks, faceCenter: centerRaw, faceRadius: radiusRaw)
    }

    /// Directional light: brightness times 1 + strength * (position along the light direction
    /// in face radii), clamped to 0...255.
    private static func applyLight(_ canvas: inout FaceCanvas, shot: FaceShot, center: SIMD2<Double>, radius: Double) {
        let dx = cos(shot.lightDirection) / radius, dy = sin(shot.lightDirection) / radius
        let w = canvas.width
        canvas.values.withUnsafeMutableBufferPointer { v in
            for y in 0..<canvas.height {
                for x in 0..<w {
                    let along = (Double(x) - center.x) * dx + (Double(y) - center.y) * dy
                    let k = Float(shot.brightness * (1 + shot.lightStrength * max(-1.5, min(1.5, along))))
                    let i = (y * w + x) * 3
                    v[i] = min(255, v[i] * k); v[i + 1] = min(255, v[i + 1] * k); v[i + 2] = min(255, v[i + 2] * k)
                }
            }
        }
    }
}
