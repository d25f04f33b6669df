/// The merged stream of files and journal, with the lines rsyslog copied from the journal into
/// auth.log (or secure, ufw.log) passed on once, counted in `ingest.journal-duplicates`. See
/// `JournalDedup` for what counts as a copy (same program, pid and message, from the other
/// origin, times at most `tolerance` apart).
///
/// Of the two copies the journal's is kept, whichever comes first: it carries the spoofing
/// verdict and a cursor. (A traditional-format auth.log stamps whole seconds, so its copy usually
/// comes first; keeping it would let a `logger -p auth.info -t sshd` line lose its SPOOFED mark.)
/// To decide, each record waits in a small buffer until the stream is `tolerance` past it, so
/// records are copied while the dedup is on (only when the journal and files are read together).
///
/// - Complexity: O(1) amortised per record, plus one copy of it; memory is bounded by the records
///   of one `tolerance` span.
public final class JournalDedupSource: RecordSource {
    struct Held {
        var time: Int64
        var bytes: [UInt8]
        var host: Range<Int>, program: Range<Int>, message: Range<Int>
        var pid: Int32
        var lineNumber: Int
        var malformed: Bool
        var origin: JournalDedup.Origin
        var key: UInt64
        var spoofed: Bool
        var location: SourceLocation
        var dropped = false
    }

    let merged: MergeSource
    let diagnostics: Diagnostics
    public let tolerance: Int64
    /// Records dropped as copies so far.
    public private(set) var dropped = 0

    /// Held records in arrival order; `held[i]` has absolute number `base + i`.
    var held: [Held] = []
    var head = 0
    var base = 0
    /// Absolute numbers of held, not yet emitted records, by key.
    var byKey: [UInt64: [Int]] = [:]
    var latest = Int64.min
    var exhausted = false
    var current: Held?
    /// The emitted record's bytes, reused.
    var line = ByteBuffer()
    public private(set) var record: SyslogRecord

    public init(_ merged: MergeSource, diagnostics: Diagnostics, tolerance: Int64 = 1_000_000) {
        self.merged = merged
        self.diagnostics = diagnostics
        self.tolerance = tolerance
        record = SyslogRecord(time: 0, line: UnsafeRawBufferPointer(start: nil, count: 0), hostRange: 0..<0,
                              programRange: 0..<0, messageRange: 0..<0, pid: -1, lineNumber: 0)
    }

    deinit { line.free() }

    public var name: String { merged.name }
    public var currentIsSpoofed: Bool { current?.spoofed ?? false }
    public func location() -> SourceLocation { current?.location ?? SourceLocation(source: name, line: 0) }

    public func next() -> Bool {
        while true {
            if head < held.count {
                let h = held[head]
                if h.dropped { advanceHead(); continue }
                if exhausted || latest - h.time > tolerance {
                    emit(h)
                    advanceHead()
                    return true
                }
            } else if exhausted {
                current = nil
                return false
            }
            guard merged.next() else { exhausted = true; continue }
            take()
        }
    }

    /// Copies the merged stream's current record into the buffer, or folds it into its twin.
    func take() {
        let r = merged.record
        latest = max(latest, r.time)
        let origin: JournalDedup.Origin = merged.currentSource is JournalSource ? .journal : .file
        let key = r.malformed ? 0 : JournalDedup.key(r, unescape: origin == .file)
        let copy = Held(time: r.time, bytes: Array(r.line), host: r.hostRange, program: r.programRange,
                        message: r.messageRange, pid: r.pid, lineNumber: r.lineNumber, malformed: r.malformed,
                        origin: origin, key: key, spoofed: merged.currentIsSpoofed, location: merged.location())
        if !r.malformed, let indexes = byKey[key] {
            for n in indexes {
                let i = n - base
                let other = held[i]
                guard !other.dropped, other.origin != origin, abs(other.time - r.time) <= tolerance else { continue }
                // The same event twice: keep one, the journal's.
                if origin == .journal { held[i] = copy }
                forget(n, key: key)
                dropped += 1
                diagnostics.count("ingest.journal-duplicates")
                return
            }
        }
        held.append(copy)
        if !r.malformed { byKey[key, default: []].append(base + held.count - 1) }
    }

    func emit(_ h: Held) {
        current = h
        line.count = 0
        _ = h.bytes.withUnsafeBytes { line.append($0, from: 0) }
        record = SyslogRecord(time: h.time, line: line.bytes, hostRange: h.host, programRange: h.program,
                              messageRange: h.message, pid: h.pid, lineNumber: h.lineNumber, malformed: h.malformed)
        if !h.malformed { forget(base + head, key: h.key) }
    }

    /// Removes an absolute number from the key index (emitted, or its twin was folded into it).
    func forget(_ n: Int, key: UInt64) {
        guard var list = byKey[key], let k = list.firstIndex(of: n) else { return }
        list.remove(at: k)
        byKey[key] = list.isEmpty ? nil : list
    }

    func advanceHead() {
        head += 1
        if head > 1024 && head * 2 > held.count {
            held.removeFirst(head)
            base += head
            head = 0
        }
    }
}
