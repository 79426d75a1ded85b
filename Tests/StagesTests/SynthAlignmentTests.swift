import Foundation
import XCTest
@testable import Stages
import Core
@testable import Imaging
@testable import Figures
@testable import Datasets
@testable import Pipeline

/// The landmark file of a generated dataset, read back with the landmark reader, must bring
/// faces to the canonical crop: the pupils, found in the aligned pixels, land near the
/// ArcFace template's eye positions.
final class SynthAlignmentTests: XCTestCase {
    /// Finds a pupil in a window around `around`: the dark pixels (channel sum within 40 of
    /// the window's darkest) form 4-connected blobs; blobs touching the window's edge are hair,
    /// brows or the hair running through it; of the rest, the one holding the darkest pixel is
    /// the pupil with its iris. (Glasses' rims can break into dark blobs as dark as a pupil, so
    /// faces with glasses are left out.) Returns its centroid, or nil.
    private func pupil(_ image: RGBImage, around: SIMD2<Double>, halfWidth: Int, halfHeight: Int) -> SIMD2<Double>? {
        let x0 = Int(around.x.rounded()) - halfWidth, y0 = Int(around.y.rounded()) - halfHeight
        let w = 2 * halfWidth + 1, h = 2 * halfHeight + 1
        var sum = [Int](repeating: Int.max, count: w * h)
        for y in 0..<h {
            for x in 0..<w where (0..<image.width).contains(x0 + x) && (0..<image.height).contains(y0 + y) {
                let p = image.pixel(x: x0 + x, y: y0 + y)
                sum[y * w + x] = Int(p.0) + Int(p.1) + Int(p.2)
            }
        }
        let darkest = sum.min()!
        var label = [Int](repeating: -1, count: w * h)
        var best: (darkest: Int, centroid: SIMD2<Double>)?
        for start in 0..<(w * h) where sum[start] <= darkest + 40 && label[start] < 0 {
            var stack = [start], members: [Int] = []
            label[start] = start
            var touchesEdge = false
            while let i = stack.popLast() {
                members.append(i)
                let x = i % w, y = i / w
                if x == 0 || y == 0 || x == w - 1 || y == h - 1 { touchesEdge = true }
                for (dx, dy) in [(1, 0), (-1, 0), (0, 1), (0, -1)] {
                    let nx = x + dx, ny = y + dy
                    guard nx >= 0, ny >= 0, nx < w, ny < h else { continue }
                    let j = ny * w + nx
                    if label[j] < 0 && sum[j] <= darkest + 40 { label[j] = start; stack.append(j) }
                }
            }
            if touchesEdge { continue }
            let blobDarkest = members.map { sum[$0] }.min()!
            let c = members.reduce(SIMD2<Double>(0, 0)) { $0 + SIMD2(Double($1 % w + x0), Double($1 / w + y0)) }
                / Double(members.count)
            if best == nil || blobDarkest < best!.darkest { best = (blobDarkest, c) }
        }
        return best?.centroid
    }

    func testAligningWithTheWrittenLandmarksPutsThePupilsOnTheTemplateEyes() throws {
        let dir = try TestSupport.scratchDirectory(self).appendingPathComponent("data")
        var faces = SyntheticFaces(identities: 10, imagesPerIdentity: 3, seed: 11)
        faces.cleanFraction = 1
        try faces.write(to: dir.path)
        let landmarks = try LandmarkFile.read(path: dir.appendingPathComponent("landmarks.txt").path)
        let paths = try String(contentsOf: dir.appendingPathComponent("paths.txt"), encoding: .utf8)
            .split(separator: "\n").map(String.init)
        XCTAssertEqual(paths.count, 30)
        let aligner = Aligner()
        let eyes = Array(AlignmentTemplate.arcface112.prefix(2))
        var worstTemplate = 0.0, worstDrawn = 0.0, checked = 0, offWithoutAlignment = 0
        for path in paths {
            let identity = Int(path.split(separator: "/")[0])! - 1
            if faces.identityLook(identity).glasses != nil { continue }
            let image = try RGBImage.decode(path: dir.appendingPathComponent("images/" + path).path)
            let record = try XCTUnwrap(landmarks[path], path)
            let t = try XCTUnwrap(aligner.transform(landmarks: record.points))
            let crop = try Aligner.warp(image: image, transform: t.affine)
            let drawn = try faces.render(identity: identity, index: Int(path.suffix(8).prefix(4))! - 1).picture.drawnLandmarks
            for k in 0..<2 {
                guard let pupil = pupil(crop, around: eyes[k], halfWidth: 9, halfHeight: 5) else {
                    XCTFail("\(path): no pupil found near the template's eye \(k)"); continue
                }
                let toTemplate = ((pupil - eyes[k]) * (pupil - eyes[k])).sum().squareRoot()
                let d = t.apply(drawn[k]) - pupil
                worstTemplate = max(worstTemplate, toTemplate)
                worstDrawn = max(worstDrawn, (d * d).sum().squareRoot())
            }
            checked += 1
            // Without the landmarks (a centre crop) the eyes are elsewhere: pose matters.
            let centre = try image.cropCenter(width: 112, height: 112)
            let found = pupil(centre, around: eyes[0], halfWidth: 9, halfHeight: 5)
            if found.map({ (($0 - eyes[0]) * ($0 - eyes[0])).sum().squareRoot() > 6 }) ?? true { offWithoutAlignment += 1 }
        }
        print("synth alignment: \(checked) faces, pupils at most \(worstTemplate) px from the template eyes, "
              + "\(worstDrawn) px from the drawn eye centres; centre crops off in \(offWithoutAlignment)")
        XCTAssertGreaterThanOrEqual(checked, 18)
        // Identities differ in eye spacing and height by a few pixels, and a yaw-like turn moves
        // the eyes, which a similarity cannot undo.
        XCTAssertLessThan(worstTemplate, 5)
        // The pupil sits at the eye centre, moved sideways by at most 1.2 px of gaze.
        XCTAssertLessThan(worstDrawn, 2)
        XCTAssertGreaterThan(offWithoutAlignment, checked / 2, "a centre crop should miss the template eyes")
    }
}
