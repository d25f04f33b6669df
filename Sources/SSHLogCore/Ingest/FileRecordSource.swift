#if canImport(Glibc)
import Glibc
#endif

/// A log file (plain, gzip or standard input) as a stream of records inside a time window.
///
/// Reads blocks, splits lines, parses headers. With `since`, a plain file is entered by
/// bisection (`TimeSeek`), so the window's start costs a few reads, not a scan; with `until`, the
/// file is left once its lines are past the window (with slack for lines slightly out of order).
/// Lines without a header are passed on flagged `malformed` (time = the previous line's) and
/// counted; the first one is reported with its line number.
public final class FileRecordSource: RecordSource {
    public let file: InputFile
    public var name: String { file.path }
    let bytes: ByteSource
    let reader: LineReader
    let parser: HeaderParser
    let since: Int64?
    let until: Int64?
    let diagnostics: Diagnostics
    public private(set) var record: SyslogRecord
    var lastTime: Int64 = .min
    var done = false
    /// Lines before the seek position, counted only when a location is asked for.
    var seekOffset: Int64 = 0
    var linesBeforeSeek: Int?
    public private(set) var malformedLines = 0
    var firstMalformedLine = 0
    /// Lines read so far (after a seek: since the seek point).
    public var linesRead: Int { reader.lineNumber }
    /// Bytes read from the file itself (compressed bytes for gzip), for the benchmark.
    public var bytesFromDisk: Int64 {
        if let p = bytes as? FileByteSource { return p.offset - seekOffset }
        if let p = bytes as? PrefetchByteSource, let g = p.inner as? GzipByteSource { return g.input.offset }
        return 0
    }

    /// Lines may be this much out of order (µs) before the `until` cut-off stops reading.
    static let orderSlack: Int64 = 300 * 1_000_000

    public init(file: InputFile, since: Int64? = nil, until: Int64? = nil, diagnostics: Diagnostics,
                zone: LocalZone = LocalZone()) throws {
        self.file = file
        self.since = since
        self.until = until
        self.diagnostics = diagnostics
        let years = YearResolver(anchorUTC: file.anchor / 1_000_000)
        parser = HeaderParser(years: years, zone: zone)
        let src = try file.openBytes()
        bytes = src
        if let since, file.compression == .none, !file.isStdin, file.size > 4 * 1024 * 1024,
           let plain = src as? FileByteSource {
            let off = TimeSeek.offset(path: file.path, size: file.size, since: since, parser: parser)
            if off > 0 {
                plain.seek(to: off)
                seekOffset = off
            }
        }
        reader = LineReader(source: src)
        record = SyslogRecord(time: 0, line: UnsafeRawBufferPointer(start: nil, count: 0), hostRange: 0..<0,
                              programRange: 0..<0, messageRange: 0..<0, pid: -1, lineNumber: 0)
        // After a seek the first bytes may be the tail of a line: drop them.
        if seekOffset > 0 { _ = try? reader.nextLine() }
    }

    deinit { bytes.close() }

    public func next() -> Bool {
        if done { return false }
        while true {
            let line: UnsafeRawBufferPointer?
            do {
                line = try reader.nextLine()
            } catch let e as SSHLogError {
                diagnostics.report(e, .damaged)
                finish()
                return false
            } catch {
                diagnostics.report(SSHLogError(.ioError, file.path, "\(error)"), .damaged)
                finish()
                return false
            }
            guard let line else { finish(); return false }
            let ln = reader.lineNumber
            if let r = parser.parse(line, lineNumber: ln) {
                lastTime = r.time
                if let since, r.time < since { continue }
                if let until, r.time > until {
                    if r.time > until + FileRecordSource.orderSlack { finish(); return false }
                    continue
                }
                record = r
                return true
            }
            if line.isEmpty { continue }
            malformedLines += 1
            if malformedLines == 1 { firstMalformedLine = ln }
            if lastTime == .min { if since != nil { continue } } else {
                if let since, lastTime < since { continue }
                if let until, lastTime > until { continue }
            }
            record = SyslogRecord(time: lastTime == .min ? 0 : lastTime, line: line, hostRange: 0..<0,
                                  programRange: 0..<0, messageRange: 0..<line.count, pid: -1,
                                  lineNumber: ln, malformed: true)
            return true
        }
    }

    func finish() {
        guard !done else { return }
        done = true
        if let d = bytes.damage {
            diagnostics.report(d, d.code == .corruptGzip && d.message.hasPrefix("trailing") ? .warning : .damaged)
        }
        if reader.cutLines > 0 {
            diagnostics.report(SSHLogError(.lineTooLong, "\(file.path):\(reader.firstCutLine + (linesBeforeSeek ?? 0))",
                                           "\(reader.cutLines) line(s) longer than \(reader.maxLine / 1024) KiB were cut there",
                                           hint: "the rest of each such line was skipped; this is not normal syslog output"))
            diagnostics.count("ingest.cut-lines", reader.cutLines)
        }
        if malformedLines > 0 {
            diagnostics.report(SSHLogError(.malformedLine, "\(file.path):\(firstMalformedLine)",
                                           "\(malformedLines) line(s) without a syslog header sshlog knows (first here); passed on unparsed",
                                           hint: "sshlog reads traditional, RFC 3339, RFC 5424 and fail2ban formats; see 'sshlog events' for how they were read"))
            diagnostics.count("syslog.malformed", malformedLines)
        }
        bytes.close()
    }

    public func location() -> SourceLocation {
        SourceLocation(source: file.path, line: currentLine())
    }

    /// The current record's line number in the file (counted up to a seek's landing point once).
    @inline(__always)
    func currentLine() -> Int {
        if seekOffset > 0 && linesBeforeSeek == nil {
            linesBeforeSeek = TimeSeek.countLines(path: file.path, upTo: seekOffset)
        }
        return record.lineNumber + (linesBeforeSeek ?? 0)
    }
}
