/// Records copied out of a stream (their lines in one byte buffer), with what only the stream can
/// tell about them (location, spoofing verdict), and then their tags: the unit the tagging
/// pipeline hands from thread to thread.
final class RecordBatch: @unchecked Sendable {
    struct Entry {
        var time: Int64
        /// The copied line: `start..<start+count` in `bytes`.
        var start: Int
        var count: Int
        var hostRange: Range<Int>
        var programRange: Range<Int>
        var messageRange: Range<Int>
        var pid: Int32
        var lineNumber: Int
        var malformed: Bool
        var spoofed: Bool
        var location: SourceLocation?
    }

    var bytes: UnsafeMutableRawPointer
    var capacity: Int
    var used = 0
    var entries: [Entry] = []
    /// Filled by a tagging worker: the events, and per entry the index of its event or -1 (only
    /// when `tagIndex` is asked for).
    var tags: [TaggedEvent] = []
    var tagIndex: [Int32] = []
    /// True on the last batch of the stream.
    var last = false

    let maxEntries: Int
    static let maxBytes = 1 << 19

    init(maxEntries: Int) {
        self.maxEntries = maxEntries
        capacity = Self.maxBytes
        bytes = UnsafeMutableRawPointer.allocate(byteCount: capacity, alignment: 16)
        entries.reserveCapacity(maxEntries)
        tags.reserveCapacity(maxEntries)
    }

    deinit { bytes.deallocate() }

    var isFull: Bool { entries.count >= maxEntries || used >= Self.maxBytes }

    func reset() {
        used = 0
        entries.removeAll(keepingCapacity: true)
        tags.removeAll(keepingCapacity: true)
        tagIndex.removeAll(keepingCapacity: true)
        last = false
    }

    /// Keeps a copy of the record.
    func append(_ r: SyslogRecord, location: SourceLocation?, spoofed: Bool) {
        let n = r.line.count
        if used + n > capacity {
            // A batch holds at least one line of any length (lines are cut at 64 KiB by the reader).
            let grown = max(capacity * 2, used + n)
            let b = UnsafeMutableRawPointer.allocate(byteCount: grown, alignment: 16)
            b.copyMemory(from: bytes, byteCount: used)
            bytes.deallocate()
            bytes = b
            capacity = grown
        }
        if n > 0 { (bytes + used).copyMemory(from: r.line.baseAddress!, byteCount: n) }
        entries.append(Entry(time: r.time, start: used, count: n, hostRange: r.hostRange, programRange: r.programRange,
                             messageRange: r.messageRange, pid: r.pid, lineNumber: r.lineNumber, malformed: r.malformed,
                             spoofed: spoofed, location: location))
        used += n
    }

    /// The record of an entry, pointing into this batch (valid until the batch is reused).
    @inline(__always)
    func record(_ e: Entry) -> SyslogRecord {
        SyslogRecord(time: e.time, line: UnsafeRawBufferPointer(start: bytes + e.start, count: e.count),
                     hostRange: e.hostRange, programRange: e.programRange, messageRange: e.messageRange,
                     pid: e.pid, lineNumber: e.lineNumber, malformed: e.malformed)
    }

    /// Tags every entry (on a worker thread) into `tags`; with `indexed`, also fills `tagIndex`.
    /// Without a tagger every entry is untagged.
    func tagAll(_ tagger: Tagger?, indexed: Bool) {
        let noLocation = SourceLocation(source: "", line: 0)
        for e in entries {
            var tagged = false
            if let tagger, !e.malformed {
                tagged = tagger.tag(record(e), into: &tags, location: { e.location ?? noLocation })
                if tagged && e.spoofed { tags[tags.count - 1].spoofed = true }
            }
            if indexed { tagIndex.append(tagged ? Int32(tags.count - 1) : -1) }
        }
    }
}
