#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// A batch of records handed from the tagging thread to the caller's thread: owned copies of the
/// lines (in one byte buffer) and their tags, in stream order.
final class TaggedBatch: @unchecked Sendable {
    struct Entry {
        var time: Int64
        /// The copied line: `start..<start+count` in `bytes`; count -1 when the line was not kept.
        var start: Int
        var count: Int
        var hostRange: Range<Int>
        var programRange: Range<Int>
        var messageRange: Range<Int>
        var pid: Int32
        var lineNumber: Int
        var malformed: Bool
        /// Index into `tags`, or -1.
        var tag: Int32
        var location: SourceLocation?
    }

    var bytes: UnsafeMutableRawPointer
    var capacity: Int
    var used = 0
    var entries: [Entry] = []
    var tags: [TaggedEvent] = []
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

    var isFull: Bool { entries.count >= maxEntries || tags.count >= maxEntries || used >= Self.maxBytes }

    func reset() {
        used = 0
        entries.removeAll(keepingCapacity: true)
        tags.removeAll(keepingCapacity: true)
        last = false
    }

    /// Keeps a copy of the record (and its tag).
    func append(_ r: SyslogRecord, tag: TaggedEvent?, location: SourceLocation?) {
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
        var t: Int32 = -1
        if let tag { t = Int32(tags.count); tags.append(tag) }
        entries.append(Entry(time: r.time, start: used, count: n, hostRange: r.hostRange, programRange: r.programRange,
                             messageRange: r.messageRange, pid: r.pid, lineNumber: r.lineNumber, malformed: r.malformed,
                             tag: t, location: location))
        used += n
    }

    /// The record of an entry, pointing into this batch (valid until the batch is handed back).
    func record(_ e: Entry) -> SyslogRecord {
        SyslogRecord(time: e.time, line: UnsafeRawBufferPointer(start: bytes + e.start, count: e.count),
                     hostRange: e.hostRange, programRange: e.programRange, messageRange: e.messageRange,
                     pid: e.pid, lineNumber: e.lineNumber, malformed: e.malformed)
    }
}

/// Runs reading, header parsing and pattern matching on a second thread, a few batches ahead of
/// the caller, who gets the results in stream order and does the rest (correlating, printing):
/// on two cores the halves overlap. At most `depth` batches are in flight, so memory stays
/// bounded; when no thread can be started, everything runs on the caller's thread.
final class TaggingThread: @unchecked Sendable {
    let batches: [TaggedBatch]
    let filled = CountingSemaphore(0)
    let free: CountingSemaphore
    /// Fills one batch from the stream; false when the stream has ended.
    let produceBatch: (TaggedBatch) -> Bool
    var thread: pthread_t?

    init(depth: Int = 4, batchSize: Int = 2048, produce: @escaping (TaggedBatch) -> Bool) {
        batches = (0..<depth).map { _ in TaggedBatch(maxEntries: batchSize) }
        free = CountingSemaphore(depth)
        produceBatch = produce
    }

    /// Calls `body` with every batch in order (on the caller's thread), then waits for the thread.
    func run(_ body: (TaggedBatch) -> Void) {
        let box = Unmanaged.passRetained(self)
        var t = pthread_t()
        let rc = pthread_create(&t, nil, { arg in
            let me = Unmanaged<TaggingThread>.fromOpaque(arg!).takeRetainedValue()
            me.produceAll()
            return nil
        }, box.toOpaque())
        guard rc == 0 else {
            box.release()
            let b = batches[0]
            var more = true
            while more {
                b.reset()
                more = produceBatch(b)
                body(b)
            }
            return
        }
        var i = 0
        while true {
            filled.wait()
            let b = batches[i]
            body(b)
            let last = b.last
            free.signal()
            if last { break }
            i = (i + 1) % batches.count
        }
        pthread_join(t, nil)
    }

    private func produceAll() {
        var i = 0
        while true {
            free.wait()
            let b = batches[i]
            b.reset()
            let more = produceBatch(b)
            b.last = !more
            filled.signal()
            if !more { return }
            i = (i + 1) % batches.count
        }
    }
}

extension IngestRun {
    /// Calls `body` with every record the library recognises, as a `TaggedEvent`, in time order.
    /// The journal's spoofing verdict is copied onto the event here. Reading and tagging run on
    /// a second thread (see `TaggingThread`), as does `accept`, which may pass over records before
    /// they are tagged; `body` runs on the caller's.
    public func forEachTagged(_ library: PatternLibrary, where accept: ((SyslogRecord) -> Bool)? = nil,
                              _ body: (TaggedEvent) -> Void) {
        forEachTagged(library, where: accept, batchSize: 2048, body)
    }

    func forEachTagged(_ library: PatternLibrary, where accept: ((SyslogRecord) -> Bool)? = nil, batchSize: Int,
                       _ body: (TaggedEvent) -> Void) {
        let src = makeSource()
        let tagger = Tagger(library)
        let pipeline = TaggingThread(batchSize: batchSize) { batch in
            while !batch.isFull {
                guard src.next() else { return false }
                let rec = src.record
                if rec.malformed { continue }
                if let accept, !accept(rec) { continue }
                if tagger.tag(rec, into: &batch.tags, location: { src.location() }), src.currentIsSpoofed {
                    batch.tags[batch.tags.count - 1].spoofed = true
                }
            }
            return true
        }
        pipeline.run { batch in
            // Borrowed from the batch (no copy per event).
            batch.tags.withUnsafeBufferPointer { events in
                for i in events.indices { body(events[i]) }
            }
        }
    }

    /// Calls `body` with every record in the window that `accepts` (given the program name, on the
    /// tagging thread) lets through, in time order, with its location (when `locations`) and its
    /// tag (when a `library` is given and recognises it; spoofed journal entries are marked).
    /// Reading and tagging run on a second thread; `body` runs on the caller's, and the record it
    /// gets is valid only during the call.
    public func forEachRecord(tagging library: PatternLibrary?, locations: Bool,
                              accepts: @escaping (UnsafeRawBufferPointer) -> Bool,
                              batchSize: Int = 2048, _ body: (SyslogRecord, SourceLocation?, TaggedEvent?) -> Void) {
        let src = makeSource()
        let tagger = library.map { Tagger($0) }
        let pipeline = TaggingThread(batchSize: batchSize) { batch in
            while !batch.isFull {
                guard src.next() else { return false }
                let rec = src.record
                if !accepts(rec.program) { continue }
                var tag: TaggedEvent? = nil
                if let tagger, !rec.malformed {
                    tag = tagger.tag(rec, location: { locations ? src.location() : SourceLocation(source: "", line: 0) })
                    if tag != nil && src.currentIsSpoofed { tag!.spoofed = true }
                }
                batch.append(rec, tag: tag, location: locations ? (tag?.location ?? src.location()) : nil)
            }
            return true
        }
        pipeline.run { batch in
            for e in batch.entries {
                body(batch.record(e), e.location, e.tag >= 0 ? batch.tags[Int(e.tag)] : nil)
            }
        }
    }
}
