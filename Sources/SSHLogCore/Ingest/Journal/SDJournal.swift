import CSystemd
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// The one type that calls libsystemd's sd-journal. Every negative return (a negated errno) becomes
/// an `SSHLogError(.journal, …)` that names the journal, says what failed with the errno text, and
/// says what to do.
///
/// An `SDJournal` owns its `sd_journal` handle and closes it in `deinit`. sd-journal handles are
/// not thread-safe: use one from one thread at a time.
final class SDJournal {
    let handle: OpaquePointer
    /// The journal's name in messages: `journal`, a directory or a file list.
    let label: String

    private init(handle: OpaquePointer, label: String) {
        self.handle = handle
        self.label = label
    }

    deinit { sd_journal_close(handle) }

    /// Opens the local machine's journal (system and user journals of this machine only).
    ///
    /// Wraps `sd_journal_open(&j, SD_JOURNAL_LOCAL_ONLY)`.
    /// - Throws: `SSHLogError(.journal)` when sd-journal cannot be opened.
    static func openLocal() throws -> SDJournal {
        var j: OpaquePointer?
        let r = sd_journal_open(&j, sshlog_sd_journal_local_only())
        return try wrap(r, j, label: "journal")
    }

    /// Opens every journal file in `directory` and its immediate subdirectories (`journalctl -D`).
    ///
    /// Wraps `sd_journal_open_directory(&j, path, 0)`.
    static func openDirectory(_ directory: String) throws -> SDJournal {
        var j: OpaquePointer?
        let r = sd_journal_open_directory(&j, directory, 0)
        return try wrap(r, j, label: directory)
    }

    /// Opens exactly the given journal files (`journalctl --file`). sd-journal fails the whole call
    /// when one of them cannot be opened; `JournalFiles.check` finds the culprits first.
    ///
    /// Wraps `sd_journal_open_files(&j, paths, 0)`.
    static func openFiles(_ paths: [String], label: String? = nil) throws -> SDJournal {
        let label = label ?? paths.joined(separator: " ")
        let cStrings = paths.map { strdup($0) }
        defer { cStrings.forEach { free($0) } }
        var array: [UnsafePointer<CChar>?] = cStrings.map { UnsafePointer($0) }
        array.append(nil)
        var j: OpaquePointer?
        let r = array.withUnsafeMutableBufferPointer { buf in
            sd_journal_open_files(&j, buf.baseAddress, 0)
        }
        return try wrap(r, j, label: label)
    }

    private static func wrap(_ r: Int32, _ j: OpaquePointer?, label: String) throws -> SDJournal {
        guard r >= 0, let j else { throw error(r, "cannot open the journal", label) }
        return SDJournal(handle: j, label: label)
    }

    // MARK: Matches and seeking

    /// Adds a `FIELD=value` match (`sd_journal_add_match`). Matches on one field are OR-ed,
    /// on different fields AND-ed, unless separated by `addDisjunction()`.
    func addMatch(_ match: String) throws {
        var m = match
        let r = m.withUTF8 { sd_journal_add_match(handle, $0.baseAddress, $0.count) }
        if r < 0 { throw SDJournal.error(r, "bad journal match '\(match)'", label) }
    }

    /// Starts a new alternative in the match expression (`sd_journal_add_disjunction`).
    func addDisjunction() throws {
        let r = sd_journal_add_disjunction(handle)
        if r < 0 { throw SDJournal.error(r, "cannot combine journal matches", label) }
    }

    /// Positions before the oldest entry (`sd_journal_seek_head`).
    func seekHead() throws {
        let r = sd_journal_seek_head(handle)
        if r < 0 { throw SDJournal.error(r, "cannot seek to the start", label) }
    }

    /// Positions after the newest entry (`sd_journal_seek_tail`).
    func seekTail() throws {
        let r = sd_journal_seek_tail(handle)
        if r < 0 { throw SDJournal.error(r, "cannot seek to the end", label) }
    }

    /// Moves to the previous matching entry (`sd_journal_previous`).
    /// - Returns: false at the start.
    func previous() throws -> Bool {
        let r = sd_journal_previous(handle)
        if r < 0 { throw SDJournal.error(r, "cannot read the previous entry", label) }
        return r > 0
    }

    /// Positions before the first entry at or after `usec` (`sd_journal_seek_realtime_usec`), using
    /// the journal's realtime index; the following `next()` returns that entry.
    func seekRealtime(_ usec: Int64) throws {
        let r = sd_journal_seek_realtime_usec(handle, UInt64(max(0, usec)))
        if r < 0 { throw SDJournal.error(r, "cannot seek to time \(usec) µs", label) }
    }

    /// Positions at the entry a cursor names (`sd_journal_seek_cursor`); the next `next()` returns
    /// it or, if it is gone, the nearest one.
    func seekCursor(_ cursor: String) throws {
        let r = sd_journal_seek_cursor(handle, cursor)
        if r < 0 { throw SDJournal.error(r, "bad journal cursor", label) }
    }

    /// True when the current entry is the one `cursor` names (`sd_journal_test_cursor`).
    func testCursor(_ cursor: String) -> Bool {
        sd_journal_test_cursor(handle, cursor) > 0
    }

    // MARK: Reading

    /// Advances to the next matching entry (`sd_journal_next`).
    /// - Returns: false at the end.
    /// - Throws: `SSHLogError(.journal)` on a read error (e.g. `EBADMSG` for a damaged entry).
    @inline(__always)
    func next() throws -> Bool {
        let r = sd_journal_next(handle)
        if r < 0 { throw SDJournal.error(r, "cannot read the next entry", label) }
        return r > 0
    }

    /// The current entry's wall-clock time in µs since the epoch (`sd_journal_get_realtime_usec`).
    @inline(__always)
    func realtime() throws -> Int64 {
        var usec: UInt64 = 0
        let r = sd_journal_get_realtime_usec(handle, &usec)
        if r < 0 { throw SDJournal.error(r, "entry without a timestamp", label) }
        return Int64(bitPattern: usec)
    }

    /// Restarts field enumeration of the current entry (`sd_journal_restart_data`).
    @inline(__always)
    func restartFields() { sd_journal_restart_data(handle) }

    /// The next `FIELD=value` item of the current entry, or nil at the end. Fields sd-journal
    /// cannot decode (unsupported compression, too large, damaged data objects) are skipped by
    /// sd-journal itself; any other error (a damaged entry object) ends the entry's fields, since
    /// sd-journal would return it again on every call.
    /// The bytes are valid until the next call on this journal: copy what you keep.
    ///
    /// Wraps `sd_journal_enumerate_available_data`.
    @inline(__always)
    func nextField() -> UnsafeRawBufferPointer? {
        var data: UnsafeRawPointer?
        var length = 0
        let r = sshlog_sd_journal_next_field(handle, &data, &length)
        if r > 0, let data { return UnsafeRawBufferPointer(start: data, count: length) }
        return nil
    }

    /// One field's value (after `FIELD=`) of the current entry (`sd_journal_get_data`), or nil.
    func field(_ name: String) -> String? {
        var data: UnsafeRawPointer?
        var length = 0
        guard sd_journal_get_data(handle, name, &data, &length) >= 0, let data else { return nil }
        let all = UnsafeRawBufferPointer(start: data, count: length)
        let skip = name.utf8.count + 1
        guard length >= skip else { return nil }
        return String(decoding: all[skip...], as: UTF8.self)
    }

    /// The current entry's cursor (`sd_journal_get_cursor`), for `journalctl --cursor`.
    func cursor() throws -> String {
        var c: UnsafeMutablePointer<CChar>?
        let r = sd_journal_get_cursor(handle, &c)
        guard r >= 0, let c else { throw SDJournal.error(r, "cannot get the entry's cursor", label) }
        defer { free(c) }
        return String(cString: c)
    }

    /// True when some entry in the opened files has `field` (`sd_journal_query_unique` over all
    /// files, ignoring matches).
    func hasField(_ field: String) -> Bool {
        guard sd_journal_query_unique(handle, field) >= 0 else { return false }
        defer { sd_journal_restart_unique(handle) }
        var data: UnsafeRawPointer?
        var length = 0
        return sd_journal_enumerate_available_unique(handle, &data, &length) > 0
    }

    /// The times of the oldest and newest entries in the opened files, matches ignored
    /// (`sd_journal_get_cutoff_realtime_usec`); nil when there are none.
    func span() -> (first: Int64, last: Int64)? {
        var from: UInt64 = 0, to: UInt64 = 0
        guard sd_journal_get_cutoff_realtime_usec(handle, &from, &to) > 0 else { return nil }
        return (Int64(bitPattern: from), Int64(bitPattern: to))
    }

    /// The distinct values of `field` in the opened files, matches ignored
    /// (`sd_journal_query_unique` and `sd_journal_enumerate_available_unique`).
    func uniqueValues(_ field: String) -> Set<String> {
        guard sd_journal_query_unique(handle, field) >= 0 else { return [] }
        defer { sd_journal_restart_unique(handle) }
        var out: Set<String> = []
        var data: UnsafeRawPointer?
        var length = 0
        let skip = field.utf8.count + 1
        while sd_journal_enumerate_available_unique(handle, &data, &length) > 0, let data {
            guard length >= skip else { continue }
            out.insert(String(decoding: UnsafeRawBufferPointer(start: data + skip, count: length - skip), as: UTF8.self))
        }
        return out
    }

    // MARK: Errors

    /// Turns a negative sd-journal return into an error with the errno text and advice.
    static func error(_ r: Int32, _ what: String, _ location: String) -> SSHLogError {
        let err = r < 0 ? -r : r
        let text = String(cString: strerror(err))
        let hint: String
        switch err {
        case EACCES, EPERM:
            hint = "add your user to group systemd-journal or adm, or use sudo"
        case ENODATA, EBADMSG, EPROTONOSUPPORT, ENOTTY, EUCLEAN, EIO:
            hint = "the journal file is damaged or truncated; check it with 'journalctl --file FILE --verify'"
        case ENOENT, ENOTDIR:
            hint = "check the path, or run 'sshlog sources' to see what sshlog finds"
        case EINVAL:
            hint = "check the argument (a cursor comes from 'journalctl --show-cursor' or an sshlog report)"
        default:
            hint = ""
        }
        return SSHLogError(.journal, location, "\(what) (\(text))", hint: hint)
    }
}
