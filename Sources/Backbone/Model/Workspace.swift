/// Scratch memory reused across batches: four activation buffers and the im2col buffer.
/// One workspace per concurrent forward pass; it grows to the largest batch seen.
public final class Workspace: @unchecked Sendable {
    public let threads: Int
    private(set) var buffers: [UnsafeMutablePointer<Float>] = []
    private(set) var capacity = 0
    let col: UnsafeMutablePointer<Float>
    /// Second buffer of `colCapacity` floats (Winograd products).
    let aux: UnsafeMutablePointer<Float>
    /// im2col floats: enough for the largest single-image convolution (64 x 9 rows over 112 x 112
    /// at full size), larger chunks let sgemm see several images at once.
    let colCapacity: Int

    public init(threads: Int = Threads.available, colCapacity: Int = 8 << 20) {
        self.threads = max(1, threads)
        self.colCapacity = colCapacity
        col = .allocate(capacity: colCapacity)
        aux = .allocate(capacity: colCapacity)
    }

    private var subWorkspaces: [Workspace] = []

    /// Single-threaded workspaces for running `n` parts of a batch concurrently.
    func parts(_ n: Int) -> [Workspace] {
        while subWorkspaces.count < n { subWorkspaces.append(Workspace(threads: 1, colCapacity: colCapacity)) }
        return Array(subWorkspaces.prefix(n))
    }

    func reserve(activation floats: Int) {
        guard floats > capacity else { return }
        for b in buffers { b.deallocate() }
        buffers = (0..<4).map { _ in UnsafeMutablePointer<Float>.allocate(capacity: floats) }
        capacity = floats
    }

    deinit {
        for b in buffers { b.deallocate() }
        col.deallocate()
        aux.deallocate()
    }
}
