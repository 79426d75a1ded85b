import Analysis
import ArgumentParser
import Backbone
import Core
import Datasets
import Imaging

// The enumerations options are declared with, readable from the command line and from
// pipeline files by their raw names (docs/architecture.md, "One declaration per option").

extension UncertaintyMode: ExpressibleByArgument {}
extension FARRule: ExpressibleByArgument {}
extension TieOrder: ExpressibleByArgument {}
extension ImagePairFormat: ExpressibleByArgument {}
extension TemplateProtocolFormat: ExpressibleByArgument {}
extension AlignmentTemplate: ExpressibleByArgument {}
extension Preprocess: ExpressibleByArgument {}
extension ScaleActivation: ExpressibleByArgument {}
