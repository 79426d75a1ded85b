/// Which direction of a stored per-image value means "trust less" (docs/metrics.md). Stores
/// record it per strategy and every analysis reads it from there.
public enum UncertaintyMode: String, CaseIterable, Sendable, Codable {
    /// Larger value = less reliable (PFE sigma^2): keep the smallest first.
    case uncertainty
    /// Larger value = more reliable (norms, ScaleFace scale): keep the largest first.
    case confidence
}
