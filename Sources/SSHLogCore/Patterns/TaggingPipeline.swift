#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Reads and tags a stream on another thread and hands the results to the caller in stream
/// order, a batch at a time, while the caller does the rest (correlating, printing): on a machine
/// with two cores or more, reading and matching overlap with the caller's work.
///
/// Who tags: for `forEachTagged` (explain, timeline, report) the reading thread, as it reads
/// (only the messages of matched lines are copied, into the batch). For `forEachRecord`
/// (events), which copies every record anyway, tagging is shared: the reading thread reads
/// ahead while a slot is free and otherwise tags the oldest read batch nobody has claimed; the
/// caller, whenever the batch it must print next is not tagged yet, does the same instead of
/// waiting. So the work settles on whichever thread has time. (Letting the reader tag each batch
/// as soon as it had read it left the caller waiting: the reader did nearly all the tagging, and
/// `events` took about 1.5 times as long: 0.21 s against 0.13–0.16 s on the 100 MB bench file.)
/// Measured on two cores, each is the faster choice for its caller. With workers
/// (`SSHLOG_WORKERS`), the reading thread only copies records and the workers tag them.
///
/// Batches move through a ring of `depth` slots: the reader fills free slots in order, a worker
/// (if any) takes the oldest filled one and tags it, the caller consumes ready slots in order and
/// frees them. At most `depth` batches are in flight, so memory stays bounded. One mutex and one
/// condition guard the slot states; the batch contents are touched by one thread at a time.
/// When no thread can be started, everything runs on the caller's thread.
final class TaggingPipeline: @unchecked Sendable {
    enum SlotState { case free, read, tagging, tagged }

    let slots: [RecordBatch]
    var states: [SlotState]
    var readCount = 0
    var readerDone = false
    var tagNext = 0
    var mutex = pthread_mutex_t()
    var cond = pthread_cond_t()

    /// nil: records only (`events --no-tags`).
    let library: PatternLibrary?
    let indexed: Bool
    let workerCount: Int
    /// Fills one batch from the stream (on the reader thread); false when the stream has ended.
    let fill: (RecordBatch) -> Bool

    /// False with `SSHLOG_THREADS=0`: everything runs on the caller's thread, batch after batch.
    static var threaded: Bool { ThreadUse.allowed }

    /// The worker count asked for: `workers`, else `SSHLOG_WORKERS`, else 0 (no tagging threads
    /// of their own: see the type's documentation). Measured on two cores, workers lose: the
    /// copies and the cross-core traffic cost more than the second core gives back.
    static func workerCount(_ workers: Int?) -> Int {
        if let workers { return max(0, workers) }
        if let env = getenv("SSHLOG_WORKERS") { return max(0, min(16, Int(atoi(env)))) }
        return 0
    }

    /// - Parameters:
    ///   - library: the library the threads tag with; nil when `fill` tags or nothing is tagged
    ///     (`events --no-tags`).
    ///   - indexed: whether consumers need each record's tag (`RecordBatch.tagIndex`).
    ///   - workers: tagging threads besides the reader (0: the reader's `fill` tags).
    init(library: PatternLibrary?, indexed: Bool, depth: Int = 8, batchSize: Int = 2048, workers: Int,
         fill: @escaping (RecordBatch) -> Bool) {
        self.library = library
        self.indexed = indexed
        self.fill = fill
        slots = (0..<depth).map { _ in RecordBatch(maxEntries: batchSize) }
        states = Array(repeating: .free, count: depth)
        workerCount = library == nil ? 0 : workers
        pthread_mutex_init(&mutex, nil)
        pthread_cond_init(&cond, nil)
    }

    deinit {
        pthread_cond_destroy(&cond)
        pthread_mutex_destroy(&mutex)
    }

    /// Calls `body` with every tagged batch in stream order (on the caller's thread), then waits
    /// for the threads.
    func run(_ body: (RecordBatch) -> Void) {
        if !Self.threaded {
            runInline(body, readerRunning: false)
            return
        }
        var threads: [pthread_t] = []
        let shared = library != nil && workerCount == 0
        if let t = start({ shared ? $0.readAndTag() : $0.readAll() }) { threads.append(t) }
        if threads.count == 1 && !shared {
            for _ in 0..<workerCount {
                if let t = start({ $0.tagAll() }) { threads.append(t) }
            }
        }
        if shared && threads.count == 1 {
            consumeSharing(body)
        } else if threads.count < 2 {
            // No threads (or a reader without workers): finish on this thread, in order.
            runInline(body, readerRunning: threads.count == 1)
        } else {
            consume(ready: .tagged, tagger: nil, body)
        }
        for t in threads { pthread_join(t, nil) }
    }

    /// Without workers: batches as the reader left them (tagged by `fill`, or with a library,
    /// tagged here), from the reader thread when it runs, else read on this one.
    private func runInline(_ body: (RecordBatch) -> Void, readerRunning: Bool) {
        let tagger = library.map { Tagger($0) }
        if readerRunning {
            consume(ready: .read, tagger: tagger, body)
            return
        }
        let b = slots[0]
        var more = true
        while more {
            b.reset()
            more = fill(b)
            if let tagger { b.tagAll(tagger, indexed: indexed) }
            body(b)
        }
    }

    /// The caller's loop: each slot in order once it is `ready`, tagged here when a tagger is
    /// given, handed to `body`, then freed for the reader.
    private func consume(ready: SlotState, tagger: Tagger?, _ body: (RecordBatch) -> Void) {
        var s = 0
        while true {
            let i = s % slots.count
            lock()
            while states[i] != ready { wait() }
            unlock()
            if let tagger { slots[i].tagAll(tagger, indexed: indexed) }
            if handOver(i, body) { return }
            s += 1
        }
    }

    /// The caller's loop when tagging is shared: each slot in order once tagged. While the next
    /// one is not, this thread tags the oldest read batch nobody has claimed (that one, or a later
    /// one when the reader is tagging it), so that neither thread idles while a batch waits.
    private func consumeSharing(_ body: (RecordBatch) -> Void) {
        let tagger = Tagger(library!)
        var s = 0
        while true {
            let i = s % slots.count
            lock()
            while states[i] != .tagged {
                if tagNext < readCount {
                    let k = claimNext()
                    unlock()
                    tagClaimed(k, tagger)
                    lock()
                    continue
                }
                wait()
            }
            unlock()
            if handOver(i, body) { return }
            s += 1
        }
    }

    /// The reading thread's loop when tagging is shared: reads into the next free slot (staying
    /// ahead, so that both threads find batches to tag), else tags the oldest read batch nobody
    /// has claimed, else waits; ends when everything is read and claimed.
    private func readAndTag() {
        let tagger = Tagger(library!)
        var s = 0
        var reading = true
        while true {
            lock()
            while !(reading && states[s % slots.count] == .free) {
                if tagNext < readCount { break }
                if !reading {
                    unlock()
                    return
                }
                wait()
            }
            if reading && states[s % slots.count] == .free {
                unlock()
                reading = fillSlot(s)
                s += 1
                continue
            }
            let i = claimNext()
            unlock()
            tagClaimed(i, tagger)
        }
    }

    private func readAll() {
        var s = 0
        while true {
            let i = s % slots.count
            lock()
            while states[i] != .free { wait() }
            unlock()
            if !fillSlot(s) { return }
            s += 1
        }
    }

    private func tagAll() {
        let tagger = library.map { Tagger($0) }
        while true {
            lock()
            while tagNext >= readCount && !readerDone { wait() }
            if tagNext >= readCount {
                unlock()
                return
            }
            let i = claimNext()
            unlock()
            tagClaimed(i, tagger)
        }
    }

    /// Fills the slot of stream batch `s` (free) and marks it read; false when the stream ended
    /// with it.
    private func fillSlot(_ s: Int) -> Bool {
        let i = s % slots.count
        let slot = slots[i]
        slot.reset()
        let more = fill(slot)
        slot.last = !more
        lock()
        states[i] = .read
        readCount = s + 1
        if !more { readerDone = true }
        broadcast()
        unlock()
        return more
    }

    /// Claims the tagging of the oldest read batch nobody has claimed (under the lock); its slot.
    private func claimNext() -> Int {
        let i = tagNext % slots.count
        tagNext += 1
        states[i] = .tagging
        return i
    }

    /// Tags a claimed slot (outside the lock) and marks it tagged.
    private func tagClaimed(_ i: Int, _ tagger: Tagger?) {
        slots[i].tagAll(tagger, indexed: indexed)
        lock()
        states[i] = .tagged
        broadcast()
        unlock()
    }

    /// Hands slot `i` to `body`, then frees it for the reader; true when it held the stream's
    /// last batch.
    private func handOver(_ i: Int, _ body: (RecordBatch) -> Void) -> Bool {
        body(slots[i])
        let last = slots[i].last
        lock()
        states[i] = .free
        broadcast()
        unlock()
        return last
    }

    private func start(_ work: @escaping (TaggingPipeline) -> Void) -> pthread_t? {
        final class Job {
            let pipeline: TaggingPipeline
            let work: (TaggingPipeline) -> Void
            init(_ p: TaggingPipeline, _ w: @escaping (TaggingPipeline) -> Void) { pipeline = p; work = w }
        }
        let box = Unmanaged.passRetained(Job(self, work))
        var t = pthread_t()
        let rc = pthread_create(&t, nil, { arg in
            let job = Unmanaged<Job>.fromOpaque(arg!).takeRetainedValue()
            job.work(job.pipeline)
            return nil
        }, box.toOpaque())
        if rc != 0 {
            box.release()
            return nil
        }
        return t
    }

    @inline(__always) private func lock() { pthread_mutex_lock(&mutex) }
    @inline(__always) private func unlock() { pthread_mutex_unlock(&mutex) }
    @inline(__always) private func wait() { pthread_cond_wait(&cond, &mutex) }
    @inline(__always) private func broadcast() { pthread_cond_broadcast(&cond) }
}

extension IngestRun {
    /// Calls `body` with every record the library recognises, as a `TaggedEvent`, in time order.
    /// The journal's spoofing verdict is copied onto the event. Reading and tagging run on another
    /// thread (see `TaggingPipeline`), as does `accept`, which may pass over records before they
    /// are tagged; `body` runs on the caller's. The event is borrowed: valid during the call only;
    /// keep `owned()` of it.
    ///
    /// Batches of 1,024 events: the correlating thread reads each batch soon after the reading
    /// thread wrote it, while its lines are still in the shared cache (with 2,048, `explain` took
    /// about 6% longer on the bench file, median of nine runs each).
    public func forEachTagged(_ library: PatternLibrary, where accept: ((SyslogRecord) -> Bool)? = nil,
                              _ body: (borrowing TaggedEvent) -> Void) {
        forEachTagged(library, where: accept, batchSize: 1024) { (e: inout TaggedEvent) in body(e) }
    }

    /// `body` gets each event in place, `inout`: a value read through a pointer would be copied
    /// (its references retained and released) for each call, one passed in place is not.
    func forEachTagged(_ library: PatternLibrary, where accept: ((SyslogRecord) -> Bool)? = nil, batchSize: Int,
                       workers: Int? = nil, _ body: (inout TaggedEvent) -> Void) {
        let src = makeSource()
        let places = StreamPlaces(src)
        let n = TaggingPipeline.workerCount(workers)
        // Without workers the reading thread tags as it reads (no record is copied).
        let tagger = n == 0 ? Tagger(library) : nil
        let pipeline = TaggingPipeline(library: tagger == nil ? library : nil, indexed: false, batchSize: batchSize, workers: n) { batch in
            if tagger != nil { batch.clearTags() }
            while !batch.isFull {
                guard src.next() else { return false }
                let rec = src.record
                if rec.malformed { continue }
                if let accept, !accept(rec) { continue }
                if let tagger {
                    _ = batch.nextTag { slot in
                        guard tagger.tag(rec, slot: &slot, arena: batch.arena, place: places.current) else { return false }
                        if src.currentIsSpoofed { slot.spoofed = true }
                        return true
                    }
                } else if library.covers(program: rec.program) {
                    // Only the programs some pattern is for are copied.
                    batch.append(rec, place: places.current(), spoofed: src.currentIsSpoofed)
                }
            }
            return true
        }
        pipeline.run { batch in
            batch.withTags { events in
                for i in events.indices { body(&events[i]) }
            }
        }
    }

    /// Calls `body` with every record in the window that `accepts` (given the program name, on the
    /// reading thread) lets through, in time order, with its location (when `locations`) and its
    /// tag (when a `library` is given and recognises it; spoofed journal entries are marked).
    /// Reading and tagging run on another thread; `body` runs on the caller's, and the record and
    /// the (borrowed) tag it gets are valid only during the call.
    public func forEachRecord(tagging library: PatternLibrary?, locations: Bool,
                              accepts: @escaping (UnsafeRawBufferPointer) -> Bool,
                              batchSize: Int = 2048, workers: Int? = nil,
                              _ body: (SyslogRecord, SourceLocation?, TaggedEvent?) -> Void) {
        forEachRecordLent(tagging: library, locations: locations, accepts: accepts, batchSize: batchSize,
                          workers: workers) { rec, place, tag in
            body(rec, place?.location, tag?.pointee)
        }
    }

    /// `forEachRecord`, each tag lent in place: the pointer is valid during the call only (the
    /// event stays in its batch, and its message bytes are the batch's). A tag is a few hundred
    /// bytes; moving it out to an Optional and back cost two copies per record. The place is
    /// given as numbers (`EventPlace.location` makes the `SourceLocation`).
    public func forEachRecordLent(tagging library: PatternLibrary?, locations: Bool,
                                  accepts: @escaping (UnsafeRawBufferPointer) -> Bool,
                                  batchSize: Int = 2048, workers: Int? = nil,
                                  _ body: (SyslogRecord, EventPlace?, UnsafePointer<TaggedEvent>?) -> Void) {
        let src = makeSource()
        let places = StreamPlaces(src)
        let unasked = EventPlace(source: -1, line: 0, cursor: nil)
        let n = library == nil ? 0 : TaggingPipeline.workerCount(workers)
        // Tagging is shared between the reading thread and this one (or done by workers).
        let pipeline = TaggingPipeline(library: library, indexed: true, batchSize: batchSize, workers: n) { batch in
            var more = true
            while !batch.isFull {
                guard src.next() else { more = false; break }
                let rec = src.record
                if !accepts(rec.program) { continue }
                batch.append(rec, place: locations ? places.current() : unasked, spoofed: src.currentIsSpoofed)
            }
            // Without a library nothing tags the batch: its records are marked untagged here.
            if library == nil { batch.tagAll(nil, indexed: true) }
            return more
        }
        pipeline.run { batch in
            batch.withTags { events in
                batch.entries.withUnsafeBufferPointer { entries in
                    batch.tagIndex.withUnsafeBufferPointer { index in
                        for k in entries.indices {
                            let t = Int(index[k])
                            let e = entries[k]
                            body(batch.record(e), locations ? batch.place(e) : nil, t >= 0 ? UnsafePointer(events.baseAddress! + t) : nil)
                        }
                    }
                }
            }
        }
    }
}
