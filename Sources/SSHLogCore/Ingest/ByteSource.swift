#if canImport(Glibc)
import Glibc
#endif

/// A stream of bytes: a plain file, standard input, or a decompressor over one.
///
/// `read(into:)` fills as much of the buffer as it can and returns the count, 0 at the end.
/// Damage that ends a stream early (a truncated or corrupt gzip) is not thrown: the source stops
/// and leaves the description in `damage`, so every line before it is still delivered.
public protocol ByteSource: AnyObject {
    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int
    /// Set when the stream ended because of damage; read after `read` returned 0.
    var damage: SSHLogError? { get }
    func close()
}

/// Reads a file descriptor with read(2). Used for plain files and standard input.
public final class FileByteSource: ByteSource {
    public let path: String
    let fd: Int32
    let ownsFD: Bool
    public private(set) var damage: SSHLogError?
    /// Bytes read so far (plus the starting offset after `seek`).
    public private(set) var offset: Int64 = 0

    /// Opens `path` for reading (`-` is standard input).
    /// - Throws: `SSHLogError` saying what failed and what to do (permission, missing file).
    public init(path: String) throws {
        self.path = path
        if path == "-" {
            fd = 0
            ownsFD = false
            return
        }
        let f = open(path, O_RDONLY | O_CLOEXEC)
        if f < 0 { throw SSHLogError.fromErrno(errno, path: path) }
        var st = stat()
        if fstat(f, &st) == 0 && (st.st_mode & S_IFMT) == S_IFDIR {
            Glibc.close(f)
            throw SSHLogError.fromErrno(EISDIR, path: path)
        }
        fd = f
        ownsFD = true
    }

    /// Positions the next read at `offset` bytes from the start (plain files only).
    public func seek(to offset: Int64) {
        if lseek(fd, off_t(offset), SEEK_SET) >= 0 { self.offset = offset }
    }

    public func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        while true {
            let n = Glibc.read(fd, buffer.baseAddress, buffer.count)
            if n >= 0 {
                offset += Int64(n)
                return n
            }
            if errno == EINTR { continue }
            let e = errno
            throw SSHLogError(.ioError, "\(path): byte \(offset)", "read failed: \(String(cString: strerror(e)))",
                              hint: e == EIO ? "the disk or file system reported an error; copy what is readable with 'dd conv=noerror'" : "")
        }
    }

    /// Closes the descriptor once: a second call (a reader finishing, then freed) must not
    /// close the number again, which by then may belong to the next file opened.
    public func close() {
        if ownsFD && !closed { Glibc.close(fd) }
        closed = true
    }
    private var closed = false
}
