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
    /// - Throws: `SSHLogError` when the directory cannot be read, or when it holds no journal
    ///   file but has subdirectories that cannot be read (permission).
    public static func list(directory: String) throws -> [String] {
        var denied: [String] = []
        return try list(directory: directory, denied: &denied)
    }

    /// Like `list(directory:)`, also returning the subdirectories that could not be read.
    public static func list(directory: String, denied: inout [String]) throws -> [String] {
        var out: [String] = []
        try scan(directory, depth: 0, into: &out, denied: &denied)
        if out.isEmpty, let first = denied.first {
            throw SSHLogError(.permissionDenied, first, "permission denied",
                              hint: "add your user to group systemd-journal or adm, or use sudo")
        }
        return out.sorted()
    }

    private static func scan(_ dir: String, depth: Int, into out: inout [String], denied: inout [String]) throws {
        guard let d = opendir(dir) else {
            let err = errno
            if depth > 0 {
                // A machine-id subdirectory: note a permission problem, ignore the rest.
                if err == EACCES || err == EPERM { denied.append(dir) }
                return
            }
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
                if depth == 0 { try scan(path, depth: 1, into: &out, denied: &denied) }
            } else if (st.st_mode & S_IFMT) == S_IFREG, name.hasSuffix(".journal") || name.hasSuffix(".journal~") {
                out.append(path)
            }
        }
    }


    /// The journal files of this machine's journal directories (may be empty).
    public static func localFiles() -> [String] {
        var out: [String] = []
        for dir in localDirectories {
            if let files = try? list(directory: dir) { out += files }
        }
        return out
    }

    /// What `inspect` learnt about a file.
    public struct Inspection: Sendable {
        /// Why sd-journal will refuse the file, or nil.
        public var problem: SSHLogError?
        /// The file is a journal cut short (its header promises more bytes than it has).
        public var truncated = false
        var headerSize: UInt64 = 0
        var size: UInt64 = 0
        var dataHashTableEnd: UInt64 = 0
        var fieldHashTableEnd: UInt64 = 0
        var entryArrayOffset: UInt64 = 0
    }

    /// Checks a journal file's header against its size, the way sd-journal will.
    /// - Returns: nil when the file looks whole, else an error naming the file and the problem.
    public static func check(_ path: String) -> SSHLogError? { inspect(path).problem }

    /// Reads the first 184 bytes of a journal file (`JOURNAL_FILE_FORMAT.md`, little-endian:
    /// signature `LPKSHHRH` at 0, `header_size` 88, `arena_size` 96, data hash table offset and
    /// size 104/112, field hash table 120/128, `tail_object_offset` 136, `entry_array_offset` 176)
    /// and compares `header_size + arena_size` with the file size.
    public static func inspect(_ path: String) -> Inspection {
        var result = Inspection()
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 {
            let err = errno
            if err == EACCES || err == EPERM {
                result.problem = SSHLogError(.permissionDenied, path, "permission denied",
                                             hint: "add your user to group systemd-journal or adm, or use sudo")
            } else {
                result.problem = SSHLogError.fromErrno(err, path: path)
            }
            return result
        }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else { result.problem = SSHLogError.fromErrno(errno, path: path); return result }
        if (st.st_mode & S_IFMT) == S_IFDIR {
            result.problem = SSHLogError(.isDirectory, path, "is a directory", hint: "use --journal-dir for a directory")
            return result
        }
        let want = 184
        var header = [UInt8](repeating: 0, count: want)
        let n = header.withUnsafeMutableBytes { pread(fd, $0.baseAddress, want, 0) }
        if n < 0 { result.problem = SSHLogError.fromErrno(errno, path: path); return result }
        let verify = "check it with 'journalctl --file \(path) --verify'"
        let signature: [UInt8] = Array("LPKSHHRH".utf8)
        if n < 8 || Array(header[0..<8]) != signature {
            result.problem = SSHLogError(.journal, path, n == 0 ? "empty file, not a journal file" : "not a journal file (no LPKSHHRH signature)",
                                         hint: "pass journal files (*.journal) only")
            return result
        }
        if n < want {
            result.problem = SSHLogError(.journal, path, "journal file is truncated: \(n) bytes, shorter than its header",
                                         hint: verify)
            return result
        }
        func u64(_ at: Int) -> UInt64 {
            var v: UInt64 = 0
            for i in 0..<8 { v |= UInt64(header[at + i]) << (8 * UInt64(i)) }
            return v
        }
        let headerSize = u64(88), arenaSize = u64(96)
        let size = UInt64(st.st_size)
        result.headerSize = headerSize
        result.size = size
        result.dataHashTableEnd = u64(104) &+ u64(112)
        result.fieldHashTableEnd = u64(120) &+ u64(128)
        result.entryArrayOffset = u64(176)
        if headerSize > UInt64.max - arenaSize || headerSize + arenaSize > size {
            let expected = headerSize > UInt64.max - arenaSize ? "a bad header" : "\(headerSize + arenaSize) bytes"
            result.truncated = headerSize <= UInt64.max - arenaSize
            result.problem = SSHLogError(.journal, path, "journal file is truncated: \(size) bytes on disk, its header says \(expected)",
                                         hint: verify)
        }
        return result
    }

    /// Makes a private copy of a truncated journal file that sd-journal will open, so that the
    /// entries before the cut can be read (`journalctl` refuses the file as a whole).
    ///
    /// The copy's header is changed in two places: `arena_size` to what the file holds, and
    /// `tail_object_offset` to the first entry array (inside the file). sd-journal then reads the
    /// entries in order and drops the file at the first object past the cut. The copy goes to
    /// `$TMPDIR` (or /tmp); the caller unlinks it once sd-journal has opened it.
    /// - Returns: the copy's path, or nil when the cut is too early (inside the hash tables or
    ///   before the first entry array) or the copy cannot be written.
    static func salvageCopy(_ path: String, _ inspection: Inspection) -> String? {
        let i = inspection
        guard i.truncated, i.headerSize >= 184, i.size > i.headerSize,
              i.dataHashTableEnd <= i.size, i.fieldHashTableEnd <= i.size,
              i.entryArrayOffset > 0, i.entryArrayOffset < i.size else { return nil }
        let src = open(path, O_RDONLY | O_CLOEXEC)
        guard src >= 0 else { return nil }
        defer { close(src) }
        let dir = getenv("TMPDIR").map { String(cString: $0) } ?? "/tmp"
        var template = Array("\(dir)/sshlog-salvage-XXXXXX.journal".utf8CString)
        let dst = template.withUnsafeMutableBufferPointer { mkstemps($0.baseAddress!, 8) }
        guard dst >= 0 else { return nil }
        let copy = template.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
        var ok = true
        let chunk = 1 << 20
        let buf = UnsafeMutableRawPointer.allocate(byteCount: chunk, alignment: 16)
        defer { buf.deallocate() }
        while ok {
            let n = read(src, buf, chunk)
            if n == 0 { break }
            if n < 0 { if errno == EINTR { continue }; ok = false; break }
            var done = 0
            while done < n {
                let w = write(dst, buf + done, n - done)
                if w < 0 { if errno == EINTR { continue }; ok = false; break }
                done += w
            }
        }
        func put(_ value: UInt64, at offset: off_t) {
            var v = value.littleEndian
            if pwrite(dst, &v, 8, offset) != 8 { ok = false }
        }
        if ok {
            put((i.size - i.headerSize) & ~7, at: 96)  // arena_size, whole objects only
            put(i.entryArrayOffset, at: 136)            // tail_object_offset
        }
        close(dst)
        if !ok { unlink(copy); return nil }
        return copy
    }
}
