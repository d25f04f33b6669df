#if canImport(Glibc)
import Glibc
#endif

/// What the user asked to read: paths (or none, for the system's logs) and a time window.
public struct InputRequest: Sendable {
    public var paths: [String] = []
    public var since: String?
    public var until: String?
    /// The window's start when the user gives none (`explain` uses `1h`); nil = everything.
    public var defaultSince: String?
    /// Read this directory when no paths are given and the system has no logs (the bundled
    /// samples); relative times then count back from its last record.
    public var fallbackDirectory: String?
    /// Where the system's logs are (tests point it elsewhere).
    public var systemDirectory = Discovery.systemLogDirectory
    /// The reference for relative times, µs; nil = the clock.
    public var now: Int64?
    /// Whether to look for the system's logs when no paths are given (false when only a journal
    /// directory or journal files were named).
    public var readSystemLogs = true

    public init() {}
}

/// A planned read: the inputs found, the resolved time window, and the stream over them.
///
/// Commands build one with `plan(_:diagnostics:)`, say what they read (`inputsDescription`,
/// `windowDescription`), then consume `forEachRecord`.
public final class IngestRun {
    public let diagnostics: Diagnostics
    /// Rotation sets to read, each oldest first (files wholly outside the window removed).
    public private(set) var sets: [[InputFile]]
    /// Files left out because they lie wholly outside the window (not even decompressed).
    public private(set) var skippedByWindow: [InputFile] = []
    /// The window, µs since the epoch.
    public let since: Int64?
    public let until: Int64?
    /// The reference "now" used for relative times.
    public let now: Int64
    public let usedFallback: Bool
    public let fallbackDirectory: String?
    /// True when the user named the inputs (files, directories, `-`), rather than sshlog
    /// looking for the system's logs.
    public let pathsGiven: Bool
    /// Other streams to merge in (the journal source adds itself here).
    public var extraSources: [RecordSource] = []
    /// Drop the copies rsyslog made of journal lines when journal and files are both read.
    public var dedupJournal = false
    /// Why the journal is or is not read, for `sources`.
    public var journalNotes: [String] = []
    /// Notes for `sources` (what was looked for and not found).
    public private(set) var notes: [String]

    /// The window as a pair, for the explain engine.
    public var window: (since: Int64?, until: Int64?) { (since, until) }

    init(diagnostics: Diagnostics, sets: [[InputFile]], since: Int64?, until: Int64?, now: Int64,
         usedFallback: Bool, fallbackDirectory: String?, pathsGiven: Bool, notes: [String]) {
        self.diagnostics = diagnostics
        self.sets = sets
        self.since = since
        self.until = until
        self.now = now
        self.usedFallback = usedFallback
        self.fallbackDirectory = fallbackDirectory
        self.pathsGiven = pathsGiven
        self.notes = notes
        skipOutsideWindow()
    }

    /// Finds the inputs and resolves the window.
    /// - Throws: `SSHLogError(.badTime)` for an unreadable `--since`/`--until`.
    public static func plan(_ request: InputRequest, diagnostics: Diagnostics) throws -> IngestRun {
        var found: Discovery.Result
        var usedFallback = false
        if request.paths.isEmpty && !request.readSystemLogs {
            found = Discovery.Result(sets: [], notes: [])
        } else if request.paths.isEmpty {
            found = Discovery.systemLogs(directory: request.systemDirectory, diagnostics: diagnostics)
            let hasSSHLogs = found.sets.contains { set in
                let base = set.last!.setName
                return base.hasSuffix("/auth.log") || base.hasSuffix("/secure")
            }
            if !hasSSHLogs, let fb = request.fallbackDirectory {
                let r = Discovery.arguments([fb], diagnostics: diagnostics)
                found = Discovery.Result(sets: r.sets, notes: found.notes + r.notes)
                usedFallback = true
            }
        } else {
            found = Discovery.arguments(request.paths, diagnostics: diagnostics)
        }
        var now = request.now ?? IngestRun.clock()
        if usedFallback {
            let last = found.sets.joined().compactMap { $0.lastTime ?? $0.firstTime }.max()
            if let last { now = last }
        }
        let since = try (request.since ?? request.defaultSince).map { try TimeSpec.parse($0, now: now) }
        let until = try request.until.map { try TimeSpec.parse($0, now: now) }
        if let s = since, let u = until, u < s {
            throw SSHLogError(.badTime, "", "--until (\(TimeFormat.local(u))) is before --since (\(TimeFormat.local(s)))",
                              hint: "swap them, or give a later --until")
        }
        return IngestRun(diagnostics: diagnostics, sets: found.sets, since: since, until: until, now: now,
                         usedFallback: usedFallback, fallbackDirectory: request.fallbackDirectory,
                         pathsGiven: !request.paths.isEmpty, notes: found.notes)
    }

    static func clock() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Int64(ts.tv_sec) * 1_000_000 + Int64(ts.tv_nsec / 1000)
    }

    /// Drops files whose known span lies wholly outside the window.
    func skipOutsideWindow() {
        guard since != nil || until != nil else { return }
        sets = sets.map { set in
            var kept: [InputFile] = []
            for (i, f) in set.enumerated() {
                // A file ends no later than its last line, its mtime, or the next newer file's start.
                var end: Int64? = f.lastTime
                if end == nil, !f.isStdin {
                    end = f.mtime * 1_000_000
                    if i + 1 < set.count, let ns = set[i + 1].firstTime { end = min(end!, ns + 60_000_000) }
                }
                if let since, let end, end < since { skippedByWindow.append(f); continue }
                if let until, let start = f.firstTime, start > until + FileRecordSource.orderSlack {
                    skippedByWindow.append(f); continue
                }
                kept.append(f)
            }
            return kept
        }.filter { !$0.isEmpty }
    }

    /// True when there is nothing at all to read.
    public var isEmpty: Bool { sets.isEmpty && extraSources.isEmpty }

    /// The stream over every input: each rotation set in order, the sets (and the journal) merged by time.
    public func makeSource() -> RecordSource {
        let zone = LocalZone()
        var streams: [RecordSource] = sets.map {
            ConcatSource(name: $0.last!.setName, files: $0, since: since, until: until, diagnostics: diagnostics, zone: zone)
        }
        streams += extraSources
        if streams.count == 1 { return streams[0] }
        if dedupJournal { return JournalDedupSource(MergeSource(streams), diagnostics: diagnostics) }
        return MergeSource(streams)
    }

    /// Calls `body` with every record in the window, in time order, and the stream it came from
    /// (ask it for `location()` while inside `body`).
    public func forEachRecord(_ body: (SyslogRecord, RecordSource) -> Void) {
        let src = makeSource()
        while src.next() { body(src.record, src) }
    }

    /// "last 1h: 2026-11-22 09:02:11 → 10:02:11 +0000" and the like.
    public var windowDescription: String {
        var s: String
        switch (since, until) {
        case (nil, nil): s = "all records"
        case (let a?, nil): s = "since \(TimeFormat.local(a, zone: true))"
        case (nil, let b?): s = "until \(TimeFormat.local(b, zone: true))"
        case (let a?, let b?): s = "\(TimeFormat.local(a)) → \(TimeFormat.local(b, zone: true))"
        }
        if usedFallback {
            s += " (relative times count back from the samples' last record, \(TimeFormat.local(now, zone: true)))"
        }
        return s
    }

    /// "/var/log/auth.log (+3 rotated), /var/log/fail2ban.log" and the like.
    public var inputsDescription: String {
        var parts: [String] = sets.map { set in
            let newest = set.last!.path
            return set.count > 1 ? "\(newest) (+\(set.count - 1) rotated)" : newest
        }
        parts += extraSources.map { $0.name }
        var s = parts.isEmpty ? "no input" : parts.joined(separator: ", ")
        if usedFallback {
            s = "\(fallbackDirectory ?? "samples") — no system logs found, so sshlog read its bundled samples: " + s
        }
        return s
    }
}
