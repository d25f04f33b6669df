#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Records from the systemd journal, read through libsystemd's sd-journal.
///
/// Each matching entry becomes a `SyslogRecord` like a file reader's: `time` is the entry's realtime
/// timestamp (µs since the epoch, UTC), host `_HOSTNAME`, program `SYSLOG_IDENTIFIER` (else
/// `_COMM`), pid `SYSLOG_PID` (else `_PID`, else -1), message `MESSAGE` without a trailing newline,
/// `lineNumber` 0. The record's `line` is the entry composed as `host program[pid]: message` in a
/// buffer the source reuses: it is valid until the next `next()`.
///
/// Only entries selected by `JournalMatches` are read, and a window is found by seeking the
/// journal's realtime index: entries before `since` are never read, and reading stops at the first
/// entry after `until`. Entries of several files (a `systemd-journal-remote` collection of many
/// hosts) come interleaved in time order by sd-journal itself.
///
/// Problems with single files (truncated, not a journal, unreadable) are reported to `diagnostics`
/// naming the file, and the other files are read. The initialiser throws only when nothing can be
/// read at all.
///
/// - Complexity: O(fields of the entry) per `next()`, plus sd-journal's index lookups.
public final class JournalSource: RecordSource {
    /// Which journal to read.
    public enum Input: Sendable, Equatable {
        /// This machine's journal (`sd_journal_open(SD_JOURNAL_LOCAL_ONLY)`).
        case local
        /// A directory of journal files and its machine-id subdirectories (`journalctl -D`).
        case directory(String)
        /// Exactly these journal files (`journalctl --file`).
        case files([String])
    }

    public let name: String
    public let input: Input
    public private(set) var record: SyslogRecord
    /// Entries returned by sd-journal (matching, inside the window so far); for tests and counts.
    public private(set) var entriesRead = 0
    /// Entries flagged by `SpoofCheck` so far.
    public private(set) var spoofedCount = 0
    /// Why the current entry is flagged, or nil.
    public private(set) var spoofReason: SpoofCheck.Reason?
    public var currentIsSpoofed: Bool { spoofReason != nil }
    /// Whether any entry in the opened files carries `_TRANSPORT` (see `SpoofCheck`).
    public let hasTrustedFields: Bool
    /// The files opened (empty for the local journal, which sd-journal finds itself).
    public let files: [String]

    let journal: SDJournal
    let since: Int64?
    let until: Int64?
    let matches: JournalMatches
    /// Files opened as themselves (not salvage copies), checked at the end for damage that made
    /// sd-journal stop reading them early (see `checkEnds`).
    let checkable: [String]
    let diagnostics: Diagnostics
    var finished = false

    /// The captured fields of the current entry, and the composed line.
    var scratch = ByteBuffer()
    var line = ByteBuffer()

    /// Opens a journal and positions it at the start of the window.
    /// - Parameters:
    ///   - input: which journal.
    ///   - since: first time to read, µs since the epoch (inclusive); nil for the start.
    ///   - until: last time to read, µs since the epoch (inclusive); nil for the end.
    ///   - matches: which entries to read.
    ///   - diagnostics: receives per-file problems and the spoofed-entry count.
    /// - Throws: `SSHLogError` when no journal can be read: none on this machine, permission
    ///   denied, a directory without journal files, no intact file among those given.
    public init(_ input: Input, since: Int64? = nil, until: Int64? = nil,
                matches: JournalMatches = .sshlog, diagnostics: Diagnostics) throws {
        self.input = input
        self.since = since
        self.until = until
        self.matches = matches
        self.diagnostics = diagnostics
        let opened = try JournalSource.open(input, diagnostics: diagnostics)
        journal = opened.journal
        files = opened.files
        checkable = opened.checkable
        name = journal.label
        hasTrustedFields = journal.hasField("_TRANSPORT")
        try matches.apply(to: journal)
        if let since { try journal.seekRealtime(since) } else { try journal.seekHead() }
        record = SyslogRecord(time: 0, line: UnsafeRawBufferPointer(start: nil, count: 0), hostRange: 0..<0,
                              programRange: 0..<0, messageRange: 0..<0, pid: -1, lineNumber: 0)
    }

    deinit {
        scratch.free()
        line.free()
    }

    // MARK: Opening

    static func open(_ input: Input, diagnostics: Diagnostics) throws -> (journal: SDJournal, files: [String], checkable: [String]) {
        switch input {
        case .local:
            let all = JournalFiles.localFiles()
            if all.isEmpty {
                throw SSHLogError(.noLogs, "journal",
                                  "no journal on this machine (no journal files in /var/log/journal or /run/log/journal)",
                                  hint: "common in containers and on hosts with only rsyslog; read the syslog files, or pass --journal-dir / --journal-file")
            }
            let readable = all.filter { access($0, R_OK) == 0 }
            if readable.isEmpty {
                throw SSHLogError(.permissionDenied, "journal",
                                  "permission denied on all \(all.count) journal files",
                                  hint: "add your user to group systemd-journal or adm, or use sudo")
            }
            if readable.count < all.count {
                diagnostics.report(SSHLogError(.permissionDenied, "journal",
                                               "\(all.count - readable.count) of \(all.count) journal files are not readable; their entries are missing",
                                               hint: "add your user to group systemd-journal or adm, or use sudo"), .damaged)
            }
            var intact: [String] = []
            for file in readable {
                if let problem = JournalFiles.check(file) { diagnostics.report(problem, .damaged) } else { intact.append(file) }
            }
            return (try SDJournal.openLocal(), [], intact)
        case .directory(let dir):
            var denied: [String] = []
            let found = try JournalFiles.list(directory: dir, denied: &denied)
            for d in denied {
                diagnostics.report(SSHLogError(.permissionDenied, d, "permission denied; the journal files in it are not read",
                                               hint: "add your user to group systemd-journal or adm, or use sudo"), .damaged)
            }
            if found.isEmpty {
                throw SSHLogError(.noLogs, dir, "no journal files (*.journal) in this directory or its subdirectories",
                                  hint: "pass the directory that holds the .journal files (journalctl -D reads the same)")
            }
            return try openChecked(found, label: dir, diagnostics: diagnostics)
        case .files(let paths):
            if paths.isEmpty {
                throw SSHLogError(.noLogs, "journal", "no journal files given", hint: "pass --journal-file FILE")
            }
            return try openChecked(paths, label: paths.joined(separator: " "), diagnostics: diagnostics)
        }
    }

    /// Checks each file's header: intact files are opened as they are; a truncated file is read
    /// up to its cut through a private patched copy (`JournalFiles.salvageCopy`), unlinked as
    /// soon as sd-journal has it open; other problems are reported and the file left out.
    /// - Throws: when no file can be read at all.
    static func openChecked(_ paths: [String], label: String, diagnostics: Diagnostics) throws -> (journal: SDJournal, files: [String], checkable: [String]) {
        var open: [String] = []
        var shown: [String] = []
        var copies: [String] = []
        defer { for c in copies { unlink(c) } }
        var lastProblem: SSHLogError?
        for path in paths {
            let inspection = JournalFiles.inspect(path)
            guard var problem = inspection.problem else {
                open.append(path)
                shown.append(path)
                continue
            }
            if let copy = JournalFiles.salvageCopy(path, inspection) {
                problem.message += "; reading the entries before the cut"
                copies.append(copy)
                open.append(copy)
                shown.append(path)
            } else {
                if inspection.truncated { problem.message += "; cut too early, nothing can be read" }
                lastProblem = problem
            }
            diagnostics.report(problem, problem.code == .journal ? .damaged : .skipped)
        }
        if open.isEmpty {
            if paths.count == 1, let lastProblem { throw lastProblem }
            throw SSHLogError(.journal, label, "none of the \(paths.count) journal files can be read (see the messages above)",
                              hint: lastProblem?.hint ?? "")
        }
        let (journal, opened) = try openSkippingBad(open, label: label, diagnostics: diagnostics)
        return (journal, shown, opened.filter { !copies.contains($0) })
    }

    /// Opens the files together; if sd-journal refuses the set, opens each alone to find and
    /// report the ones it refuses, and opens the rest.
    static func openSkippingBad(_ paths: [String], label: String, diagnostics: Diagnostics) throws -> (SDJournal, [String]) {
        if let j = try? SDJournal.openFiles(paths, label: label) { return (j, paths) }
        var good: [String] = []
        var lastError: SSHLogError?
        for path in paths {
            do {
                _ = try SDJournal.openFiles([path])
                good.append(path)
            } catch let e as SSHLogError {
                diagnostics.report(e, .damaged)
                lastError = e
            }
        }
        guard !good.isEmpty else {
            throw lastError ?? SSHLogError(.journal, label, "cannot open the journal")
        }
        return (try SDJournal.openFiles(good, label: label), good)
    }

    // MARK: Reading

    public func next() -> Bool {
        while !finished {
            let more: Bool
            do { more = try journal.next() } catch let e as SSHLogError {
                // sd-journal already skips damaged files while iterating; an error here leaves
                // nothing sensible to read after it.
                diagnostics.report(SSHLogError(e.code, e.location, e.message + "; stopped reading this journal here",
                                               hint: e.hint), .damaged)
                finished = true
                return false
            } catch { finished = true; return false }
            guard more else {
                finished = true
                checkEnds()
                return false
            }
            let time: Int64
            do { time = try journal.realtime() } catch { continue }
            if let until, time > until {
                finished = true
                checkEnds()
                return false
            }
            entriesRead += 1
            if compose(time: time) { return true }
            diagnostics.count("journal.no-message")
        }
        return false
    }

    /// Field ranges in `scratch` for the current entry.
    struct Captured {
        var message: Range<Int>?
        var identifier: Range<Int>?
        var host: Range<Int>?
        var comm: Range<Int>?
        var exe: Range<Int>?
        var transport: Range<Int>?
        var syslogPid: Int32 = -1
        var pid: Int32 = -1
        var uid: Int64 = -1
    }

    /// Reads the current entry's fields in one pass and composes the record.
    /// - Returns: false when the entry has no `MESSAGE`.
    @inline(__always)
    func compose(time: Int64) -> Bool {
        scratch.count = 0
        var c = Captured()
        journal.restartFields()
        while let f = journal.nextField() {
            guard f.count > 2 else { continue }
            switch f[0] {
            case UInt8(ascii: "M"):
                if JournalSource.starts(f, "MESSAGE=") { c.message = scratch.append(f, from: 8) }
            case UInt8(ascii: "S"):
                if JournalSource.starts(f, "SYSLOG_IDENTIFIER=") { c.identifier = scratch.append(f, from: 18) }
                else if JournalSource.starts(f, "SYSLOG_PID=") { c.syslogPid = Int32(clamping: JournalSource.number(f, from: 11)) }
            case UInt8(ascii: "_"):
                switch f[1] {
                case UInt8(ascii: "H"):
                    if JournalSource.starts(f, "_HOSTNAME=") { c.host = scratch.append(f, from: 10) }
                case UInt8(ascii: "P"):
                    if JournalSource.starts(f, "_PID=") { c.pid = Int32(clamping: JournalSource.number(f, from: 5)) }
                case UInt8(ascii: "C"):
                    if JournalSource.starts(f, "_COMM=") { c.comm = scratch.append(f, from: 6) }
                case UInt8(ascii: "E"):
                    if JournalSource.starts(f, "_EXE=") { c.exe = scratch.append(f, from: 5) }
                case UInt8(ascii: "T"):
                    if JournalSource.starts(f, "_TRANSPORT=") { c.transport = scratch.append(f, from: 11) }
                case UInt8(ascii: "U"):
                    if JournalSource.starts(f, "_UID=") { c.uid = JournalSource.number(f, from: 5) }
                default: break
                }
            default: break
            }
        }
        guard var message = c.message else { return false }
        let s = scratch.bytes
        // A line ends before its newline, as in the file readers.
        while message.count > 0 && (s[message.upperBound - 1] == 0x0A || s[message.upperBound - 1] == 0x0D) {
            message = message.lowerBound..<(message.upperBound - 1)
        }
        let program = c.identifier ?? c.comm ?? 0..<0
        let pid = c.syslogPid >= 0 ? c.syslogPid : c.pid

        line.count = 0
        var hostRange = 0..<0
        if let h = c.host, !h.isEmpty {
            hostRange = line.append(s, h)
            line.append(byte: 0x20)
        }
        let programRange = line.append(s, program)
        if pid >= 0 {
            line.append(byte: UInt8(ascii: "["))
            line.appendDecimal(Int64(pid))
            line.append(byte: UInt8(ascii: "]"))
        }
        line.append(byte: UInt8(ascii: ":"))
        line.append(byte: 0x20)
        let messageRange = line.append(s, message)

        record = SyslogRecord(time: time, line: line.bytes, hostRange: hostRange, programRange: programRange,
                              messageRange: messageRange, pid: pid, lineNumber: 0)

        let facts = SpoofCheck.Facts(
            program: UnsafeRawBufferPointer(rebasing: s[program]),
            comm: c.comm.map { UnsafeRawBufferPointer(rebasing: s[$0]) },
            exe: c.exe.map { UnsafeRawBufferPointer(rebasing: s[$0]) },
            transport: c.transport.map { UnsafeRawBufferPointer(rebasing: s[$0]) },
            syslogPid: c.syslogPid, pid: c.pid, uid: c.uid)
        spoofReason = SpoofCheck.verdict(facts, journalHasTrustedFields: hasTrustedFields)
        if spoofReason != nil {
            spoofedCount += 1
            diagnostics.count("journal.spoofed")
        }
        return true
    }

    /// After the last entry: finds files sd-journal stopped reading early.
    ///
    /// sd-journal drops a file from the iteration when it meets a damaged object in it, and says
    /// so only in a debug message; with several match terms one damaged entry can hide all the
    /// entries after it (`journalctl -t A -t B` shows the same). So each file is opened alone,
    /// without matches, and read backwards from the window's end to its last entry that the
    /// matches select (at most `tailScan` entries); if the shared iteration cannot seek to that
    /// entry, the file was dropped and its entries after the damage are missing: reported naming
    /// the file.
    /// - Complexity: one open and up to `tailScan` backward steps per file.
    func checkEnds() {
        // The terms by field, so that each entry costs one lookup per field.
        var byField: [String: Set<String>] = [:]
        for t in matches.terms {
            guard let eq = t.firstIndex(of: "=") else { continue }
            byField[String(t[..<eq]), default: []].insert(String(t[t.index(after: eq)...]))
        }
        let fields = byField.sorted { $0.key < $1.key }
        for path in checkable {
            guard let alone = try? SDJournal.openFiles([path]) else { continue }
            var cursor: String?
            var when: Int64 = 0
            do {
                if let until { try alone.seekRealtime(until + 1) } else { try alone.seekTail() }
                var steps = 0
                while steps < JournalSource.tailScan, try alone.previous() {
                    steps += 1
                    if fields.contains(where: { f in alone.field(f.key).map(f.value.contains) ?? false }) {
                        when = try alone.realtime()
                        if since == nil || when >= since! { cursor = try alone.cursor() }
                        break
                    }
                }
            } catch {
                diagnostics.report(SSHLogError(.journal, path, "journal file is damaged: its last entries cannot be read",
                                               hint: "check it with 'journalctl --file \(path) --verify'"), .damaged)
                continue
            }
            guard let cursor else { continue }
            let reached = (try? journal.seekCursor(cursor)) != nil && ((try? journal.next()) ?? false) && journal.testCursor(cursor)
            if !reached {
                diagnostics.report(SSHLogError(.journal, path, "journal file is damaged: sd-journal stopped reading it early; its entries after the damage (up to \(TimeFormat.rfc3339UTC(when))) are missing",
                                               hint: "check it with 'journalctl --file \(path) --verify'"), .damaged)
            }
        }
    }

    /// How many entries `checkEnds` reads backwards per file looking for a selected one.
    static let tailScan = 1000

    /// The current entry's place: the journal and its cursor (computed here, not per entry).
    public func location() -> SourceLocation {
        SourceLocation(source: name, line: 0, cursor: try? journal.cursor())
    }

    /// The current entry's cursor, for `journalctl --cursor`.
    /// - Throws: `SSHLogError(.journal)` when there is no current entry.
    public func cursor() throws -> String { try journal.cursor() }

    /// The times of the oldest and newest entries in the opened files (all entries, not only the
    /// selected ones), µs since the epoch; nil for an empty journal. For `sshlog sources`.
    public var span: (first: Int64, last: Int64)? { journal.span() }

    /// One field of the current entry (`_SYSTEMD_UNIT`, `_UID`, …), for tools and tests; not for
    /// the per-entry path.
    public func field(_ name: String) -> String? { journal.field(name) }

    // MARK: Byte helpers

    @inline(__always)
    static func starts(_ f: UnsafeRawBufferPointer, _ prefix: StaticString) -> Bool {
        SpoofCheck.hasPrefix(f, prefix)
    }

    /// A decimal number after `from`; -1 when there is none.
    @inline(__always)
    static func number(_ f: UnsafeRawBufferPointer, from: Int) -> Int64 {
        var v: Int64 = 0
        var i = from
        guard i < f.count else { return -1 }
        while i < f.count, f[i] >= 0x30, f[i] <= 0x39, v < Int64(Int32.max) {
            v = v * 10 + Int64(f[i] - 0x30)
            i += 1
        }
        return i == from ? -1 : v
    }
}

/// A growable byte buffer reused from entry to entry (no allocation once it is large enough).
struct ByteBuffer {
    private(set) var base: UnsafeMutableRawPointer
    private(set) var capacity: Int
    var count = 0

    init(capacity: Int = 4096) {
        self.capacity = capacity
        base = UnsafeMutableRawPointer.allocate(byteCount: capacity, alignment: 8)
    }

    /// Frees the memory; call once, from the owner's deinit.
    func free() { base.deallocate() }

    var bytes: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: base, count: count) }

    @inline(__always)
    mutating func reserve(_ extra: Int) {
        guard count + extra > capacity else { return }
        var newCapacity = capacity * 2
        while newCapacity < count + extra { newCapacity *= 2 }
        let b = UnsafeMutableRawPointer.allocate(byteCount: newCapacity, alignment: 8)
        b.copyMemory(from: base, byteCount: count)
        base.deallocate()
        base = b
        capacity = newCapacity
    }

    /// Appends `src[from...]`; returns where it went.
    @inline(__always)
    mutating func append(_ src: UnsafeRawBufferPointer, from: Int) -> Range<Int> {
        let n = src.count - from
        reserve(n)
        if n > 0 { (base + count).copyMemory(from: src.baseAddress! + from, byteCount: n) }
        count += n
        return (count - n)..<count
    }

    /// Appends `src[range]`; returns where it went.
    @inline(__always)
    mutating func append(_ src: UnsafeRawBufferPointer, _ range: Range<Int>) -> Range<Int> {
        let n = range.count
        reserve(n)
        if n > 0 { (base + count).copyMemory(from: src.baseAddress! + range.lowerBound, byteCount: n) }
        count += n
        return (count - n)..<count
    }

    @inline(__always)
    mutating func append(byte: UInt8) {
        reserve(1)
        base.storeBytes(of: byte, toByteOffset: count, as: UInt8.self)
        count += 1
    }

    mutating func appendDecimal(_ value: Int64) {
        var digits: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
                     UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) =
            (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        var v = value < 0 ? 0 : value
        var n = 0
        withUnsafeMutableBytes(of: &digits) { d in
            repeat { d[n] = UInt8(v % 10) + 0x30; v /= 10; n += 1 } while v > 0
            reserve(n)
            for i in 0..<n { base.storeBytes(of: d[n - 1 - i], toByteOffset: count + i, as: UInt8.self) }
        }
        count += n
    }
}
