#if canImport(Glibc)
import Glibc
#endif

/// Reads a small text file whole (pattern files, sshd_config) — never a log, which is streamed.
public enum SmallTextFile {
    /// The file's text (invalid UTF-8 becomes U+FFFD) and whether it was cut at `limit` bytes.
    /// - Throws: `SSHLogError.fromErrno` naming the path (missing, permission denied, I/O error).
    public static func read(_ path: String, limit: Int) throws -> (text: String, cut: Bool) {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw SSHLogError.fromErrno(errno, path: path) }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw SSHLogError.fromErrno(errno, path: path)
            }
            if n == 0 { break }
            bytes += chunk[0..<n]
            if bytes.count > limit { return (String(decoding: bytes.prefix(limit), as: UTF8.self), true) }
        }
        return (String(decoding: bytes, as: UTF8.self), false)
    }
}
