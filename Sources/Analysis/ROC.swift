import Foundation

/// One point of a ROC read at a requested false-accept rate (REFERENCE section 6).
public struct OperatingPoint: Equatable, Sendable {
    public var tar: Double
    /// The FAR actually reached at `threshold`; ties can make it differ from the request.
    public var far: Double
    public var threshold: Float
}

/// numpy's `round` (half to even) of a non-negative value, as the reference uses for `k`.
@inlinable
public func roundHalfToEven(_ x: Double) -> Int {
    Int(x.rounded(.toNearestOrEven))
}
