import Core
import Foundation

/// One figure a stage made, described for the report: stages write `figures.json` listing
/// these beside the PNG files, and the report shows them in that order with the captions.
public struct FigureEntry: Codable, Equatable, Sendable {
    public var file: String
    public var title: String
    public var caption: String

    public init(file: String, title: String, caption: String) {
        self.file = file
        self.title = title
        self.caption = caption
    }

    public static let manifestName = "figures.json"

    public static func writeManifest(_ entries: [FigureEntry], to directory: String) throws {
        let e = JSONEncoder()
        e.outputFormatting = [.prettyPrinted, .sortedKeys]
        try writeData(try e.encode(entries), to: (directory as NSString).appendingPathComponent(manifestName))
    }

    /// The manifest of a directory; nil when it has none.
    public static func readManifest(in directory: String) -> [FigureEntry]? {
        let url = URL(fileURLWithPath: directory).appendingPathComponent(manifestName)
        return (try? Data(contentsOf: url)).flatMap { try? JSONDecoder().decode([FigureEntry].self, from: $0) }
    }
}
