#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Whether sshlog may start threads of its own: not with `SSHLOG_THREADS=0`, which runs
/// everything on one thread (for profiling, and to compare).
enum ThreadUse {
    static let allowed: Bool = getenv("SSHLOG_THREADS").map { atoi($0) != 0 } ?? true
}
