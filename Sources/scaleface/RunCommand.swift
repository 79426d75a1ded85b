import Pipeline
import ArgumentParser
import Foundation
import Stages

struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run a pipeline file, reusing every stage whose inputs and parameters are unchanged.",
        discussion: """
        Stages whose cache key (kind, version, parameters, input keys, content of named files) \
        already has an artifact are not run. Artifacts live under the pipeline's cache directory; \
        each stage's current artifact is linked as <outputs>/<stage>.
        Examples:
          scaleface run pipelines/demo.yaml
          scaleface run pipelines/demo.yaml --dry-run
          scaleface run pipelines/ijbc.yaml --set ijbc=/data/IJB-C --until embed
          scaleface run pipelines/demo.yaml --force reject
        """
    )

    @Argument(help: "The pipeline file (YAML).") var pipeline: String
    @Option(help: "Run only this stage and the stages it depends on.") var until: String?
    @Option(help: "Rerun this stage and everything downstream of it (repeatable).") var force: [String] = []
    @Flag(name: .customLong("dry-run"), help: "Print which stages are cached or stale and why; run nothing.") var dryRun = false
    @Option(name: .customLong("set"), help: "Override a pipeline variable: NAME=VALUE (repeatable).") var assignments: [String] = []
    @Flag(help: "No progress on stderr.") var quiet = false

    func run() throws {
        var overrides: [String: String] = [:]
        for a in assignments {
            guard let eq = a.firstIndex(of: "="), eq != a.startIndex else { throw ValidationError("--set takes NAME=VALUE, got '\(a)'") }
            overrides[String(a[..<eq])] = String(a[a.index(after: eq)...])
        }
        var runner = Runner(pipeline: try PipelineFile.load(pipeline, overrides: overrides), registry: StageRegistry.kinds)
        runner.quiet = quiet
        try runner.run(until: until, force: Set(force), dryRun: dryRun)
    }
}
