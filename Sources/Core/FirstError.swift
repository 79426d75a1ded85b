import Foundation

/// The first error raised by any of several concurrent workers.
public final class FirstError: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: Error?
    public init() {}
    public var isSet: Bool { lock.lock(); defer { lock.unlock() }; return stored != nil }
    public var error: Error? { lock.lock(); defer { lock.unlock() }; return stored }
    public func set(_ e: Error) { lock.lock(); if stored == nil { stored = e }; lock.unlock() }
}
