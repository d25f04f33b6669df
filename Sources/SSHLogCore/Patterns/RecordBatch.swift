/// Records copied out of a stream (their lines in a byte arena), with what only the stream can
/// tell about them (location, spoofing verdict), and then their tags: the unit the tagging
/// pipeline hands from thread to thread. The tags are borrowed events: their message bytes are
/// in the arena, valid until the batch is reused.
final class RecordBatch: @unchecked Sendable {
    struct Entry {
        var time: Int64
        /// The copied line, in `arena`.
        var line: UnsafeRawPointer
        var count: Int
        var hostRange: Range<Int>
        var programRange: Range<Int>
        var messageRange: Range<Int>
        var pid: Int32
        var lineNumber: Int
        var malformed: Bool
        var spoofed: Bool
        /// Where it came from: the source name's number in `InternedNames` (-1: not asked
        /// for), the line in the file, and the journal cursor's index in `cursors` (-1: none).
        /// No references, so that an entry copies as plain bytes.
        var source: Int32
        var cursor: Int32
        var placeLine: Int
    }

    /// The journal cursors of the entries that have one.
    var cursors: [String] = []

    /// The copied lines, and the messages of events tagged from a stream's own buffers.
    let arena = ByteArena()
    var entries: [Entry] = []
    /// Filled by a tagging worker: the events, `tags[0..<tagCount]`, and per entry the index of
    /// its event or -1 (only when `tagIndex` is asked for). The slots past `tagCount` hold events
    /// of the batch's earlier rounds, to be written over (`nextTag`): events are not freed and
    /// made again per record. (Their bytes were the arena's: they are never read.)
    var tags: [TaggedEvent] = []
    var tagCount = 0
    var tagIndex: [Int32] = []
    /// True on the last batch of the stream.
    var last = false

    let maxEntries: Int
    static let maxBytes = 1 << 19

    init(maxEntries: Int) {
        self.maxEntries = maxEntries
        entries.reserveCapacity(maxEntries)
        tags.reserveCapacity(maxEntries)
    }

    var isFull: Bool { entries.count >= maxEntries || tagCount >= maxEntries || arena.total >= Self.maxBytes }

    /// Empties the tags (on the thread that tags: see `reset`); their slots stay for reuse.
    /// Records copied since the last `reset` stay.
    func clearTags() {
        tagCount = 0
        tagIndex.removeAll(keepingCapacity: true)
    }

    /// Calls `make` with the next event slot (an old event to write over); the event counts when
    /// `make` returns true.
    @inline(__always)
    func nextTag(_ make: (inout TaggedEvent) -> Bool) -> Bool {
        if tagCount == tags.count { tags.append(TaggedEvent.unused) }
        guard make(&tags[tagCount]) else { return false }
        tagCount += 1
        return true
    }

    /// The events, in place, during `body`.
    @inline(__always)
    func withTags<R>(_ body: (UnsafeMutableBufferPointer<TaggedEvent>) -> R) -> R {
        tags.withUnsafeMutableBufferPointer { all in body(UnsafeMutableBufferPointer(rebasing: all[0..<tagCount])) }
    }

    /// Empties the records and the arena (on the reading thread; the tags, which borrow from the
    /// arena, are emptied by `tagAll` or by the reader before it refills the batch).
    func reset() {
        arena.reset()
        entries.removeAll(keepingCapacity: true)
        cursors.removeAll(keepingCapacity: true)
        last = false
    }

    /// Keeps a copy of the record with its place (source -1: not asked for).
    func append(_ r: SyslogRecord, place: EventPlace, spoofed: Bool) {
        let n = r.line.count
        let copy = UnsafeRawPointer(n > 0 ? arena.copy(r.line.baseAddress!, n) : arena.allocate(0))
        entries.append(Entry(time: r.time, line: copy, count: n, hostRange: r.hostRange, programRange: r.programRange,
                             messageRange: r.messageRange, pid: r.pid, lineNumber: r.lineNumber, malformed: r.malformed,
                             spoofed: spoofed, source: place.source, cursor: place.cursor.map { c in
                                 cursors.append(c)
                                 return Int32(cursors.count - 1)
                             } ?? -1, placeLine: place.line))
    }

    /// The location of an entry, or nil when it was not asked for.
    func location(_ e: Entry) -> SourceLocation? {
        e.source < 0 ? nil : SourceLocation(source: InternedNames.name(e.source), line: e.placeLine, cursor: cursor(e))
    }

    /// Where an entry came from, as numbers (no String made), or nil when it was not asked for.
    @inline(__always)
    func place(_ e: Entry) -> EventPlace? {
        e.source < 0 ? nil : EventPlace(source: e.source, line: e.placeLine, cursor: cursor(e))
    }

    @inline(__always)
    private func cursor(_ e: Entry) -> String? {
        e.cursor < 0 ? nil : cursors[Int(e.cursor)]
    }

    /// The record of an entry, pointing into this batch (valid until the batch is reused).
    @inline(__always)
    func record(_ e: Entry) -> SyslogRecord {
        SyslogRecord(time: e.time, line: UnsafeRawBufferPointer(start: e.line, count: e.count),
                     hostRange: e.hostRange, programRange: e.programRange, messageRange: e.messageRange,
                     pid: e.pid, lineNumber: e.lineNumber, malformed: e.malformed)
    }

    /// Tags an entry into `tags` (an entry kept without its location gets the empty source); true
    /// when it got a tag.
    @inline(__always)
    private func tag(_ e: Entry, _ tagger: Tagger) -> Bool {
        guard !e.malformed else { return false }
        let r = record(e)
        return nextTag { slot in
            guard tagger.tagBorrowing(r, slot: &slot, place: {
                e.source < 0 ? EventPlace(source: tagger.sourceName(""), line: 0, cursor: nil)
                             : EventPlace(source: e.source, line: e.placeLine, cursor: cursor(e))
            }) else { return false }
            if e.spoofed { slot.spoofed = true }
            return true
        }
    }

    /// Tags every entry (on a worker thread) into `tags`; with `indexed`, also fills `tagIndex`.
    /// Without a tagger every entry is untagged.
    func tagAll(_ tagger: Tagger?, indexed: Bool) {
        clearTags()
        entries.withUnsafeBufferPointer { all in
            for k in all.indices {
                let tagged = tagger.map { tag(all[k], $0) } ?? false
                if indexed { tagIndex.append(tagged ? Int32(tagCount - 1) : -1) }
            }
        }
    }
}
