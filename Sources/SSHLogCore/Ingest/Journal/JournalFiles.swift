#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Finding journal files and checking them before sd-journal sees them.
///
/// sd-journal refuses a truncated file as a whole (`journalctl --file` says "No data available")
/// and, in a directory, drops it with a message of its own on stderr. sshlog checks each file's
/// header first so that it can name the bad file, say what is wrong, and read the others.
public enum JournalFiles {
    /// Where journald keeps the local journal: persistent, then volatile.
    public static let localDirectories = ["/var/log/journal", "/run/log/journal"]

    /// Journal files (`*.journal`, and `*.journal~` left by an unclean shutdown) in `directory` and
    /// its immediate subdirectories (the machine-id directories), as `journalctl -D` reads them,
    /// sorted by path.
    /// - Throws: `SSHLogError` when the directory cannot be read.
    public static func list(directory: String) throws -> [String] {
        var out: [String] = []
        try scan(directory, depth: 0, into: &out)
        return out.sorted()
    }

    private static func scan(_ dir: String, depth: Int, into out: inout [String]) throws {
        guard let d = opendir(dir) else {
            if depth > 0 { return }  // an unreadable machine-id subdirectory: checked by the caller
            let err = errno
            if err == EACCES || err == EPERM {
                throw SSHLogError(.permissionDenied, dir, "permission denied",
                                  hint: "add your user to group systemd-journal or adm, or use sudo")
            }
            throw SSHLogError.fromErrno(err, path: dir)
        }
        defer { closedir(d) }
        while let entry = readdir(d) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(cString: raw.bindMemory(to: CChar.self).baseAddress!)
            }
            if name == "." || name == ".." { continue }
            let path = dir.hasSuffix("/") ? dir + name : dir + "/" + name
            var st = stat()
            guard stat(path, &st) == 0 else { continue }
            if (st.st_mode & S_IFMT) == S_IFDIR {
                if depth == 0 { try scan(path, depth: 1, into: &out) }
            } else if (st.st_mode & S_IFMT) == S_IFREG, name.hasSuffix(".journal") || name.hasSuffix(".journal~") {
                out.append(path)
            }
        }
    }

    /// Paths matching a shell glob (`glob(3)`), sorted; empty when none match.
    public static func glob(_ pattern: String) -> [String] {
        var g = glob_t()
        defer { globfree(&g) }
        guard Glibc.glob(pattern, 0, nil, &g) == 0 else { return [] }
        return (0..<Int(g.gl_pathc)).compactMap { g.gl_pathv[$0].map { String(cString: $0) } }
    }

    /// The journal files of this machine's journal directories (may be empty).
    public static func localFiles() -> [String] {
        var out: [String] = []
        for dir in localDirectories {
            if let files = try? list(directory: dir) { out += files }
        }
        return out
    }

    /// Checks a journal file's header against its size, the way sd-journal will.
    ///
    /// Reads the first 112 bytes (`JOURNAL_FILE_FORMAT.md`: signature `LPKSHHRH` at 0,
    /// `header_size` at 88, `arena_size` at 96, little-endian) and compares
    /// `header_size + arena_size` with the file size.
    /// - Returns: nil when the file looks whole, else an error naming the file and the problem.
    public static func check(_ path: String) -> SSHLogError? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 {
            let err = errno
            if err == EACCES || err == EPERM {
                return SSHLogError(.permissionDenied, path, "permission denied",
                                   hint: "add your user to group systemd-journal or adm, or use sudo")
            }
            return SSHLogError.fromErrno(err, path: path)
        }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else { return SSHLogError.fromErrno(errno, path: path) }
        if (st.st_mode & S_IFMT) == S_IFDIR {
            return SSHLogError(.isDirectory, path, "is a directory", hint: "use --journal-dir for a directory")
        }
        var header = [UInt8](repeating: 0, count: 112)
        let n = header.withUnsafeMutableBytes { pread(fd, $0.baseAddress, 112, 0) }
        if n < 0 { return SSHLogError.fromErrno(errno, path: path) }
        let verify = "check it with 'journalctl --file \(path) --verify'"
        let signature: [UInt8] = Array("LPKSHHRH".utf8)
        if n < 8 || Array(header[0..<8]) != signature {
            return SSHLogError(.journal, path, n == 0 ? "empty file, not a journal file" : "not a journal file (no LPKSHHRH signature)",
                               hint: "pass journal files (*.journal) only")
        }
        if n < 112 {
            return SSHLogError(.journal, path, "journal file is truncated: \(n) bytes, shorter than its header",
                               hint: verify)
        }
        func u64(_ at: Int) -> UInt64 {
            var v: UInt64 = 0
            for i in 0..<8 { v |= UInt64(header[at + i]) << (8 * UInt64(i)) }
            return v
        }
        let headerSize = u64(88), arenaSize = u64(96)
        let size = UInt64(st.st_size)
        if headerSize > UInt64.max - arenaSize || headerSize + arenaSize > size {
            let expected = headerSize > UInt64.max - arenaSize ? "a bad header" : "\(headerSize + arenaSize) bytes"
            return SSHLogError(.journal, path, "journal file is truncated: \(size) bytes on disk, its header says \(expected); sd-journal cannot read it",
                               hint: verify + ", or read an intact copy")
        }
        return nil
    }
}
