/// A rotation set read as one stream: its files one after the other, oldest first.
///
/// Files are opened lazily, one at a time, so a long rotation set holds one file open and one
/// buffer. A file that cannot be opened is reported and skipped; the set goes on.
public final class ConcatSource: RecordSource {
    let files: [InputFile]
    let since: Int64?
    let until: Int64?
    let diagnostics: Diagnostics
    let zone: LocalZone
    var index = -1
    var current: FileRecordSource?
    public let name: String
    /// Files actually opened, for `sources` and the benchmark.
    public private(set) var opened: [String] = []

    public init(name: String, files: [InputFile], since: Int64?, until: Int64?, diagnostics: Diagnostics,
                zone: LocalZone = LocalZone()) {
        self.name = name
        self.files = files
        self.since = since
        self.until = until
        self.diagnostics = diagnostics
        self.zone = zone
    }

    public var record: SyslogRecord { current!.record }
    /// Bytes read from disk by the file open now (benchmark).
    public var bytesFromDisk: Int64 { current?.bytesFromDisk ?? lastBytes }
    var lastBytes: Int64 = 0

    /// `current`, for the per-record call: read at +0 (`current` keeps it alive), where reading
    /// the optional reference retained and released the file once per record.
    private var reading: Unmanaged<FileRecordSource>?

    public func next() -> Bool {
        while true {
            if let r = reading, r._withUnsafeGuaranteedRef({ $0.next() }) { return true }
            if let c = current { lastBytes = c.bytesFromDisk }
            reading = nil
            current = nil
            index += 1
            guard index < files.count else { return false }
            do {
                let c = try FileRecordSource(file: files[index], since: since, until: until,
                                             diagnostics: diagnostics, zone: zone)
                current = c
                reading = Unmanaged.passUnretained(c)
                opened.append(files[index].path)
            } catch let e as SSHLogError {
                diagnostics.report(e, .skipped)
            } catch {
                diagnostics.report(SSHLogError(.ioError, files[index].path, "\(error)"), .skipped)
            }
        }
    }

    public func location() -> SourceLocation { current!.location() }
}
