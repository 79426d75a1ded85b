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
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.0"),
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

        // Module map and import rules: docs/architecture.md. ModuleImportRuleTests checks every
        // `import` line of Sources/<Module> against that target's dependencies declared here.
        .target(name: "Core"),
        .target(name: "Store", dependencies: ["Core", "CHDF5"], swiftSettings: fastMath),
        .target(name: "Analysis", dependencies: ["Core"], swiftSettings: fastMath),
        .target(name: "Checkpoint", dependencies: ["Core", "Store"], swiftSettings: fastMath),
        .target(name: "Backbone", dependencies: ["Core", "Checkpoint", "COpenBLAS"], swiftSettings: fastMath),
        .target(name: "Training", dependencies: ["Core", "Checkpoint", "Backbone", "COpenBLAS"], swiftSettings: fastMath),
        .target(name: "Imaging", dependencies: ["Core", "CPNG", "CJPEG"], swiftSettings: fastMath),
        .target(name: "Figures", dependencies: ["Core", "Imaging", "CCairo"], swiftSettings: fastMath),
        .target(name: "Datasets", dependencies: ["Core", "Store", "Analysis", "Imaging"], swiftSettings: fastMath),
        .target(name: "Pipeline",
                dependencies: ["Core", .product(name: "Yams", package: "Yams"),
                               .product(name: "Crypto", package: "swift-crypto"),
                               .product(name: "ArgumentParser", package: "swift-argument-parser")]),
        .target(name: "Stages",
                dependencies: ["Core", "Store", "Analysis", "Checkpoint", "Backbone", "Training", "Imaging",
                               "Figures", "Datasets", "Pipeline",
                               .product(name: "ArgumentParser", package: "swift-argument-parser"),
                               .product(name: "Yams", package: "Yams")],
                swiftSettings: fastMath),
        .executableTarget(name: "scaleface",
                          dependencies: ["Core", "Stages", "Store", "Pipeline",
                                         .product(name: "ArgumentParser", package: "swift-argument-parser")]),

        .testTarget(name: "CoreTests", dependencies: ["Core"]),
        .testTarget(name: "StoreTests", dependencies: ["Store", "Core"]),
        .testTarget(name: "AnalysisTests", dependencies: ["Analysis", "Core"], exclude: ["Fixtures"]),
        .testTarget(name: "BackboneTests", dependencies: ["Backbone", "Checkpoint", "Training", "Core"], exclude: ["Fixtures"]),
        .testTarget(name: "StagesTests",
                    dependencies: ["Stages", "Store", "Analysis", "Core", "Imaging", "Figures", "Datasets", "Pipeline",
                                   "Checkpoint", "Backbone", "Training", "CCairo",
                                   .product(name: "Crypto", package: "swift-crypto")]),
    ],
    swiftLanguageModes: [.v5]
)
