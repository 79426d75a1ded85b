/// The scaleface release, shown by `scaleface --version` and in reports. It is deliberately
/// not part of any cache key: an unrelated release must not re-embed a dataset. Each stage
/// kind's own `version` is (docs/pipeline.md, "Caching").
public let scalefaceVersion = "0.2.0"
