import COpenBLAS

/// Thread budget shared by OpenBLAS and our own loops. Both never run at the same time (our
/// loops run between sgemm calls), so `threads` workers in total are busy at any moment.
public enum Threads {
    /// All online cores.
    public static var available: Int { max(1, Int(openblas_get_num_procs())) }

    /// Sets the number of OpenBLAS threads; call once before inference.
    public static func configure(_ n: Int) {
        openblas_set_num_threads(Int32(max(1, n)))
    }
}
