import ArgumentParser
import Foundation
import Stages
import Store

struct StoreCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "store",
        abstract: "Create, inspect and export embedding stores (HDF5).",
        subcommands: [StoreImportCommand.self, StoreExportCommand.self, StoreInfoCommand.self, StoreMergeCommand.self]
    )
}

struct StoreImportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Import precomputed embeddings, uncertainties and labels into a new store.",
        discussion: """
        Arrays are .npy files (float16/32/64, C order). Embeddings are [N, D]; each uncertainty \
        is [N] or [N, k] and defaults to mode 'uncertainty' (larger = less trustworthy); append \
        ':confidence' for strategies where larger means more trustworthy. Labels are [N] integers.
        Example:
          scaleface store import --out ijbc.h5 --paths paths.txt --embeddings emb.npy \\
              --uncertainty scale=scale.npy:confidence --uncertainty head=sigma_sq.npy \\
              --model "iresnet50 scaleface"
        """
    )

    @Option(help: "The store to write (.h5); replaced only when the import succeeds.")
    var out: String
    @OptionGroup var options: StoreImportOptions

    func run() throws {
        let (n, d) = try StoreImport(options, output: out).run()
        print("wrote \(out): \(n) images x \(d) dimensions, \(options.uncertainty.count) strategies")
    }
}

struct StoreExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Export a store to paths.txt, embeddings.npy, uncertainty_<NAME>.npy (and labels.npy, manifest.json).",
        discussion: "Example:\n  scaleface store export --store ijbc.h5 --out ijbc-arrays/"
    )

    @Option(help: "The store to read.")
    var store: String
    @Option(help: "Directory to write into (created if missing).")
    var out: String

    func run() throws {
        let files = try StoreExport(store: store, output: out).run()
        print("wrote \(files.count) files to \(out)")
    }
}

struct StoreInfoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "info",
        abstract: "Show a store's size, strategies with value ranges, attributes and completeness.",
        discussion: "Example:\n  scaleface store info ijbc.h5"
    )

    @Argument(help: "The store (.h5, or a .h5.partial left by an interrupted write).")
    var store: String
    @Flag(help: "Print JSON instead of text.")
    var json = false

    func run() throws {
        let summary = try StoreSummary(path: store)
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            print(String(decoding: try encoder.encode(summary), as: UTF8.self))
        } else {
            print(summary.text)
        }
    }
}

struct StoreMergeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "merge",
        abstract: "Join stores of one model and setting (e.g. the shards of `embed --shard I/N`) into one.",
        discussion: "Example:\n  scaleface store merge --out ijbc.h5 shards/ijbc-0.h5 shards/ijbc-1.h5 shards/ijbc-2.h5"
    )

    @Option(help: "The merged store to write.") var out: String
    @Argument(help: "The stores to join, in order.") var stores: [String]

    func run() throws {
        let n = try StoreMerge(inputs: stores, output: out).run()
        print("wrote \(out): \(n) images from \(stores.count) stores")
    }
}
