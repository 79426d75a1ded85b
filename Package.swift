// swift-tools-version:6.0
import PackageDescription

// Release builds of the numeric targets are compiled for Haswell (AVX2 + FMA): without it
// SIMD8<Float> lowers to SSE pairs and fused multiply-add becomes a libm call.
let fastMath: [SwiftSetting] = [
    .unsafeFlags(["-Ounchecked", "-target-cpu", "haswell"], .when(configuration: .release)),
]

let package = Package(
    name: "scaleface",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "scaleface", targets: ["scaleface"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.0.0"),
    ],
    targets: [
        .systemLibrary(name: "CHDF5", path: "Sources/CHDF5", pkgConfig: "hdf5",
                       providers: [.apt(["libhdf5-dev"])]),
        .systemLibrary(name: "COpenBLAS", path: "Sources/COpenBLAS", pkgConfig: "openblas",
                       providers: [.apt(["libopenblas-dev"])]),
        .systemLibrary(name: "CPNG", path: "Sources/CPNG", pkgConfig: "libpng",
                       providers: [.apt(["libpng-dev"])]),
        .systemLibrary(name: "CJPEG", path: "Sources/CJPEG", pkgConfig: "libturbojpeg",
                       providers: [.apt(["libturbojpeg0-dev"])]),
        .systemLibrary(name: "CCairo", path: "Sources/CCairo", pkgConfig: "cairo",
                       providers: [.apt(["libcairo2-dev"])]),

        .target(name: "Store", dependencies: ["CHDF5"], swiftSettings: fastMath),
        .target(name: "Analysis", swiftSettings: fastMath),
        .target(name: "Backbone", dependencies: ["COpenBLAS"], swiftSettings: fastMath),
        .target(name: "Stages",
                dependencies: ["Store", "Analysis", "Backbone", "CPNG", "CJPEG", "CCairo",
                               .product(name: "Yams", package: "Yams")],
                swiftSettings: fastMath),
        .executableTarget(name: "scaleface",
                          dependencies: ["Stages", "Store", "Backbone",
                                         .product(name: "ArgumentParser", package: "swift-argument-parser")]),

        .testTarget(name: "StoreTests", dependencies: ["Store"]),
        .testTarget(name: "AnalysisTests", dependencies: ["Analysis"], exclude: ["Fixtures"]),
        .testTarget(name: "BackboneTests", dependencies: ["Backbone"], exclude: ["Fixtures"]),
        .testTarget(name: "StagesTests", dependencies: ["Stages", "Store", "Analysis"]),
    ],
    swiftLanguageModes: [.v5]
)
