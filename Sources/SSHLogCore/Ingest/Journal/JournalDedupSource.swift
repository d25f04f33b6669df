/// The merged stream of files and journal, with the lines rsyslog copied from the journal into
/// auth.log (or secure, ufw.log) passed on once: the first copy in time order is kept, the other
/// dropped and counted (`ingest.journal-duplicates`). See `JournalDedup` for what counts as a copy.
public final class JournalDedupSource: RecordSource {
    let merged: MergeSource
    let diagnostics: Diagnostics
    var dedup = JournalDedup()

    public init(_ merged: MergeSource, diagnostics: Diagnostics) {
        self.merged = merged
        self.diagnostics = diagnostics
    }

    public var name: String { merged.name }
    public var record: SyslogRecord { merged.record }
    public var currentIsSpoofed: Bool { merged.currentIsSpoofed }
    public func location() -> SourceLocation { merged.location() }
    /// The stream the current record came from.
    public var currentSource: RecordSource { merged.currentSource }
    /// Records dropped as copies so far.
    public var dropped: Int { dedup.dropped }

    public func next() -> Bool {
        while merged.next() {
            let r = merged.record
            if r.malformed { return true }
            let origin: JournalDedup.Origin = merged.currentSource is JournalSource ? .journal : .file
            if !dedup.isDuplicate(r, from: origin) { return true }
            diagnostics.count("ingest.journal-duplicates")
        }
        return false
    }
}
