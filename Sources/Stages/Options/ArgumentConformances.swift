import Analysis
import ArgumentParser
import Backbone
import Core
import Datasets
import Imaging

// The enumerations options are declared with, readable from the command line and from
// pipeline files by their raw names (docs/architecture.md, "One declaration per option").

extension UncertaintyMode: @retroactive ExpressibleByArgument {}
extension FARRule: @retroactive ExpressibleByArgument {}
extension ImagePairFormat: @retroactive ExpressibleByArgument {}
extension TemplateProtocolFormat: @retroactive ExpressibleByArgument {}
extension AlignmentTemplate: @retroactive ExpressibleByArgument {}
extension Preprocess: @retroactive ExpressibleByArgument {}
extension ScaleActivation: @retroactive ExpressibleByArgument {}
