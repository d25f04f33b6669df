#if canImport(Glibc)
import Glibc
#endif

/// One file sshlog will read, as discovery found it.
public struct InputFile: Sendable {
    public enum Compression: String, Sendable { case none, gzip }

    /// The path as given or found (shown to the user).
    public var path: String
    public var compression: Compression
    public var size: Int64
    /// Modification time, seconds since the epoch.
    public var mtime: Int64
    /// The rotation set this file belongs to (e.g. `/var/log/auth.log`), for ordering and year anchors.
    public var setName: String
    /// Position in its set: 0 = the current file, 1 = `.1`, 2 = `.2.gz` … (larger = older).
    public var age: Int
    /// Upper bound for the time of any line in this file (µs), used for the year of traditional stamps.
    public var anchor: Int64
    /// Time of the first and last line, where known (µs). Last is known for plain files.
    public var firstTime: Int64?
    public var lastTime: Int64?
    /// Standard input.
    public var isStdin: Bool { path == "-" }

    public init(path: String, compression: Compression, size: Int64, mtime: Int64, setName: String, age: Int) {
        self.path = path
        self.compression = compression
        self.size = size
        self.mtime = mtime
        self.setName = setName
        self.age = age
        self.anchor = mtime * 1_000_000
    }

    /// Stats `path`; gzip is recognised by its magic bytes, not its name.
    /// - Throws: `SSHLogError` for a missing or unreadable file.
    public static func inspect(_ path: String, setName: String? = nil, age: Int = 0) throws -> InputFile {
        if path == "-" {
            let now = Int64(time(nil))
            return InputFile(path: "-", compression: .none, size: 0, mtime: now, setName: "-", age: 0)
        }
        var st = stat()
        if stat(path, &st) != 0 { throw SSHLogError.fromErrno(errno, path: path) }
        if (st.st_mode & S_IFMT) == S_IFDIR { throw SSHLogError.fromErrno(EISDIR, path: path) }
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 { throw SSHLogError.fromErrno(errno, path: path) }
        var magic: (UInt8, UInt8) = (0, 0)
        let n = withUnsafeMutableBytes(of: &magic) { Glibc.read(fd, $0.baseAddress, 2) }
        close(fd)
        let gz = n == 2 && magic.0 == 0x1f && magic.1 == 0x8b
        return InputFile(path: path, compression: gz ? .gzip : .none, size: Int64(st.st_size),
                         mtime: Int64(st.st_mtim.tv_sec), setName: setName ?? path, age: age)
    }

    /// Opens the file's bytes (decompressing when needed, a few blocks ahead on a thread of its
    /// own unless `SSHLOG_THREADS=0`).
    public func openBytes() throws -> ByteSource {
        switch compression {
        case .gzip:
            let gz = try GzipByteSource(path: path)
            return ThreadUse.allowed ? PrefetchByteSource(gz) : gz
        case .none: return try FileByteSource(path: path)
        }
    }
}
