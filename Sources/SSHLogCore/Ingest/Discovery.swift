#if canImport(Glibc)
import Glibc
#endif

/// Finds the log files to read and groups them into rotation sets.
///
/// - No arguments: the system's logs: `/var/log/auth.log` (Debian, Ubuntu) and/or `/var/log/secure`
///   (RHEL family), `/var/log/fail2ban.log`, `/var/log/ufw.log`, each with its rotated files.
/// - A directory (a copied `/var/log`): the same names inside it.
/// - Files and globs: each file joins the rotation set of its base name, so `auth.log*` is one
///   set; `-` is standard input.
///
/// Rotation names understood: `NAME.1`, `NAME.2.gz` (numbered, logrotate's default), and
/// `NAME-20261115`, `NAME-20261108.gz` (dateext). A set is read oldest first.
public enum Discovery {
    /// Log names looked for on a system or in a directory, in this order.
    public static let systemLogNames = ["auth.log", "secure", "fail2ban.log", "ufw.log"]
    public static let systemLogDirectory = "/var/log"

    public struct Result {
        /// Rotation sets, each oldest file first.
        public var sets: [[InputFile]]
        /// What was looked at and not found or not readable (for `sources`).
        public var notes: [String]
    }

    /// The system's own logs. Missing files are fine; unreadable ones are reported.
    public static func systemLogs(directory: String = systemLogDirectory, diagnostics: Diagnostics) -> Result {
        var sets: [[InputFile]] = []
        var notes: [String] = []
        for name in systemLogNames {
            let files = rotationSet(directory: directory, base: name, diagnostics: diagnostics)
            if files.isEmpty { notes.append("\(join(directory, name)): not present") } else { sets.append(files) }
        }
        return Result(sets: sets, notes: notes)
    }

    /// Files named on the command line (paths, directories, globs, `-`).
    public static func arguments(_ args: [String], diagnostics: Diagnostics) -> Result {
        var byBase: [String: [InputFile]] = [:]
        var order: [String] = []
        var sets: [[InputFile]] = []
        let notes: [String] = []
        func add(_ f: InputFile) {
            if byBase[f.setName] == nil { order.append(f.setName) }
            byBase[f.setName, default: []].append(f)
        }
        for arg in args {
            if arg == "-" {
                if let f = try? InputFile.inspect("-") { add(f) }
                continue
            }
            var paths = [arg]
            if arg.contains(where: { $0 == "*" || $0 == "?" || $0 == "[" }) && !exists(arg) {
                paths = Glob.paths(arg)
                if paths.isEmpty {
                    diagnostics.report(SSHLogError(.notFound, arg, "the pattern matches no file",
                                                   hint: "check the path; quote it so your shell does not expand it first"), .skipped)
                    continue
                }
            }
            for path in paths {
                if isDirectory(path) {
                    let r = systemLogs(directory: path, diagnostics: diagnostics)
                    if r.sets.isEmpty {
                        diagnostics.report(SSHLogError(.noLogs, path, "no SSH-related logs in this directory (looked for \(systemLogNames.joined(separator: ", ")) and their rotations)",
                                                       hint: "name the files themselves, e.g. 'sshlog events \(join(path, "messages"))'"), .skipped)
                    }
                    sets.append(contentsOf: r.sets)
                    continue
                }
                do {
                    let (base, age) = rotationKey(path)
                    add(try InputFile.inspect(path, setName: base, age: age))
                } catch let e as SSHLogError {
                    diagnostics.report(e, .skipped)
                } catch {}
            }
        }
        for base in order {
            sets.append(resolve(byBase[base]!))
        }
        return Result(sets: sets, notes: notes)
    }

    /// The files of one rotation set in `directory`, oldest first, anchors resolved.
    public static func rotationSet(directory: String, base: String, diagnostics: Diagnostics) -> [InputFile] {
        guard let dir = opendir(directory) else { return [] }
        defer { closedir(dir) }
        var files: [InputFile] = []
        while let ent = readdir(dir) {
            let name = withUnsafeBytes(of: ent.pointee.d_name) { raw in
                String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
            }
            guard name == base || name.hasPrefix(base + ".") || name.hasPrefix(base + "-") else { continue }
            let path = join(directory, name)
            let (b, age) = rotationKey(path)
            guard b == join(directory, base) else { continue }
            do {
                files.append(try InputFile.inspect(path, setName: b, age: age))
            } catch let e as SSHLogError {
                diagnostics.report(e, .skipped)
            } catch {}
        }
        return resolve(files)
    }

    /// Sorts a set oldest first and fills in year anchors and known first/last times.
    ///
    /// Anchors go from the newest file backwards: the current file's is its mtime; an older file's
    /// is the earlier of its own mtime and the first line of the next newer file. So a set copied
    /// with fresh mtimes still gets consistent years.
    static func resolve(_ files: [InputFile]) -> [InputFile] {
        var newestFirst = files.sorted { $0.age < $1.age }
        var nextStart: Int64? = nil
        let zone = LocalZone()
        for i in newestFirst.indices {
            var f = newestFirst[i]
            if let ns = nextStart { f.anchor = min(f.anchor, ns + 60_000_000) }
            let (first, last) = Peek.span(f, zone: zone)
            f.firstTime = first
            f.lastTime = last
            if let first { nextStart = first }
            newestFirst[i] = f
        }
        return newestFirst.reversed()
    }

    /// The rotation set a path belongs to, and its age: `auth.log.2.gz` → (`auth.log`, 2);
    /// `secure-20261108.gz` → (`secure`, 99999999 - 20261108).
    public static func rotationKey(_ path: String) -> (String, Int) {
        var p = path
        if p.hasSuffix(".gz") { p.removeLast(3) }
        if let dot = p.lastIndex(of: "."), let n = Int(p[p.index(after: dot)...]), n >= 0, n < 10000 {
            return (String(p[..<dot]), n)
        }
        if let dash = p.lastIndex(of: "-") {
            let tail = p[p.index(after: dash)...]
            if tail.count == 8, let d = Int(tail), d > 19700101 {
                return (String(p[..<dash]), 99_999_999 - d)
            }
            if tail.count == 10, let d = Int(tail), d > 1_000_000_000 { // dateext with epoch seconds
                return (String(p[..<dash]), 9_999_999_999 - d)
            }
        }
        return (path.hasSuffix(".gz") ? p : path, 0)
    }

    static func join(_ dir: String, _ name: String) -> String {
        dir.hasSuffix("/") ? dir + name : dir + "/" + name
    }

    static func exists(_ path: String) -> Bool {
        var st = stat()
        return stat(path, &st) == 0
    }

    static func isDirectory(_ path: String) -> Bool {
        var st = stat()
        return stat(path, &st) == 0 && (st.st_mode & S_IFMT) == S_IFDIR
    }

}

/// Reads the first and last stamps of a file cheaply (first block; last 16 KiB of plain files).
enum Peek {
    static func span(_ f: InputFile, zone: LocalZone) -> (Int64?, Int64?) {
        if f.isStdin { return (nil, nil) }
        let parser = HeaderParser(years: YearResolver(anchorUTC: f.anchor / 1_000_000), zone: zone)
        var first: Int64?
        var last: Int64?
        if let src = try? f.openBytes() {
            let reader = LineReader(source: src, blockSize: 64 * 1024)
            var k = 0
            while k < 50, let line = try? reader.nextLine() {
                if let r = parser.parse(line, lineNumber: 0) { first = r.time; break }
                k += 1
            }
            src.close()
        }
        if f.compression == .none && f.size > 0 {
            let fd = open(f.path, O_RDONLY | O_CLOEXEC)
            if fd >= 0 {
                let size = 16 * 1024
                let buf = UnsafeMutableRawBufferPointer.allocate(byteCount: size, alignment: 16)
                let from = max(0, f.size - Int64(size))
                let n = pread(fd, buf.baseAddress, size, off_t(from))
                if n > 0 {
                    let bytes = UnsafeRawBufferPointer(start: buf.baseAddress, count: n)
                    var end = n
                    while end > 0 {
                        var s = end - 1
                        if bytes[s] == 0x0A { end = s; continue }
                        while s > 0 && bytes[s - 1] != 0x0A { s -= 1 }
                        if s == 0 && from > 0 { break }
                        if let r = parser.parse(UnsafeRawBufferPointer(rebasing: bytes[s..<end]), lineNumber: 0) {
                            last = r.time
                            break
                        }
                        end = s
                    }
                }
                buf.deallocate()
                close(fd)
            }
        }
        return (first, last)
    }
}
