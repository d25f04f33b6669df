#if canImport(Glibc)
import Glibc
#endif

/// Pieces of a printed record that repeat from record to record, kept ready to copy: in JSON Lines
/// the host and program (`,"host":"…","program":"…`, for the last four pairs seen), the source
/// (`","source":"…","line":`, per source number) and the kind and pattern (`,"kind":"…",
/// "pattern":"…","fields":{`, per pattern number); in text, `  ⟨kind` per pattern number. Each
/// is what the escaping writer writes for it, made by that writer once.
final class RepeatedPieces {
    /// The last few host and program pairs (a log interleaves a few programs): their bytes (up
    /// to `keyRoom` together) in `keys`, where the host ends in them (-1: unused), and their
    /// snippets; replaced round-robin.
    static let keyRoom = 256
    static let pairs = 4
    static let snippetRoom = RepeatedPieces.keyRoom * 6 + 64
    let keys = UnsafeMutablePointer<UInt8>.allocate(capacity: RepeatedPieces.keyRoom * RepeatedPieces.pairs)
    let snippets = UnsafeMutablePointer<UInt8>.allocate(capacity: RepeatedPieces.snippetRoom * RepeatedPieces.pairs)
    var keyCounts = [Int](repeating: 0, count: RepeatedPieces.pairs)
    var hostCounts = [Int](repeating: -1, count: RepeatedPieces.pairs)
    var snippetCounts = [Int](repeating: 0, count: RepeatedPieces.pairs)
    var nextPair = 0
    /// The snippet of each source seen, by its number (at most `maxSources` kept), with no kind.
    var sources = SnippetTable()
    var sourceCount = 0
    static let maxSources = 1024
    var patterns = SnippetTable()
    /// Where snippets are made (never flushed: nothing is written to a file).
    let scratch = OutputWriter(fd: -1)

    deinit {
        keys.deallocate()
        snippets.deallocate()
        textKinds.free()
        patterns.free()
        sources.free()
    }

    /// `make`'s output through the escaping writer, or nil when it did not fit in the buffer
    /// (callers keep what they escape far below its size, so that it is never flushed).
    func made(_ make: (OutputWriter) -> Void) -> [UInt8]? {
        scratch.count = 0
        make(scratch)
        guard scratch.count > 0, scratch.count < scratch.capacity else { return nil }
        return Array(UnsafeBufferPointer(start: scratch.base, count: scratch.count))
    }

    @inline(__always)
    func hostAndProgram(_ host: UnsafeRawBufferPointer, _ program: UnsafeRawBufferPointer, _ out: OutputWriter) {
        let h = host.count, n = h + program.count
        for i in 0..<Self.pairs where hostCounts[i] == h && keyCounts[i] == n {
            let key = keys + i * Self.keyRoom
            if (h == 0 || memcmp(key, host.baseAddress!, h) == 0) && (n == h || memcmp(key + h, program.baseAddress!, n - h) == 0) {
                out.append(snippets + i * Self.snippetRoom, snippetCounts[i])
                out.flushIfFull()
                return
            }
        }
        hostAndProgramMissed(host, program, out)
    }

    @inline(never)
    func hostAndProgramMissed(_ host: UnsafeRawBufferPointer, _ program: UnsafeRawBufferPointer, _ out: OutputWriter) {
        let h = host.count, n = h + program.count
        let write = { (o: OutputWriter) in
            o.write(",\"host\":\"" as StaticString)
            o.writeJSONString(host)
            o.write("\",\"program\":\"" as StaticString)
            o.writeJSONString(program)
        }
        guard n <= Self.keyRoom, let made = made(write), made.count <= Self.snippetRoom else {
            write(out)
            return
        }
        let i = nextPair
        nextPair = (nextPair + 1) % Self.pairs
        let key = keys + i * Self.keyRoom
        if h > 0 { key.update(from: host.baseAddress!.assumingMemoryBound(to: UInt8.self), count: h) }
        if n > h { (key + h).update(from: program.baseAddress!.assumingMemoryBound(to: UInt8.self), count: n - h) }
        keyCounts[i] = n
        hostCounts[i] = h
        made.withUnsafeBufferPointer { (snippets + i * Self.snippetRoom).update(from: $0.baseAddress!, count: made.count) }
        snippetCounts[i] = made.count
        made.withUnsafeBytes { out.write($0) }
    }

    @inline(__always)
    func source(_ id: Int32, _ out: OutputWriter) {
        if let b = sources.bytes(Int(id), kind: nil) { out.write(b); return }
        sourceMissed(id, out)
    }

    @inline(never)
    func sourceMissed(_ id: Int32, _ out: OutputWriter) {
        let write = { (o: OutputWriter) in
            o.write("\",\"source\":\"" as StaticString)
            o.writeJSONString(InternedNames.name(id))
            o.write("\",\"line\":" as StaticString)
        }
        if sourceCount < Self.maxSources, id >= 0, Int(id) < SnippetTable.maxSlots,
           InternedNames.name(id).utf8.count <= 4096, let made = made(write) {
            sources.set(Int(id), kind: nil, made)
            sourceCount += 1
            made.withUnsafeBytes { out.write($0) }
        } else {
            write(out)
        }
    }

    /// `  ⟨kind` of the text format, per pattern number (the kind's name is ASCII: nothing to
    /// escape).
    var textKinds = SnippetTable()

    @inline(__always)
    func textKind(_ kind: EventKind, _ pattern: Int32, _ out: OutputWriter) {
        if let b = textKinds.bytes(Int(pattern), kind: kind) { out.write(b); return }
        out.write("  ⟨" as StaticString)
        out.write(kind.rawValue)
        textKinds.set(Int(pattern), kind: kind, Array("  ⟨".utf8) + Array(kind.rawValue.utf8))
    }

    @inline(__always)
    func kindAndPattern(_ kind: EventKind, _ pattern: Int32, _ out: OutputWriter) {
        if let b = patterns.bytes(Int(pattern), kind: kind) { out.write(b); return }
        let write = { (o: OutputWriter) in
            o.write(",\"kind\":\"" as StaticString)
            o.write(kind.rawValue)
            o.write("\",\"pattern\":\"" as StaticString)
            o.writeJSONString(InternedNames.name(pattern))
            o.write("\",\"fields\":{" as StaticString)
        }
        if let made = made(write) {
            patterns.set(Int(pattern), kind: kind, made)
            made.withUnsafeBytes { out.write($0) }
        } else {
            write(out)
        }
    }
}

/// Byte strings by number (0..<65 536: a pattern's or a source's), each with the kind it was made
/// for (nil for sources), in blocks of their own: read without touching a reference count (an array of arrays retained and released
/// the inner array on every read).
struct SnippetTable {
    static let maxSlots = 65_536
    /// Per slot: its bytes (nil: none), their count, and the kind they were made for.
    private var starts: UnsafeMutablePointer<UnsafeMutablePointer<UInt8>?>?
    private var counts: UnsafeMutablePointer<Int>?
    private var kinds: UnsafeMutablePointer<EventKind?>?
    private var slots = 0

    /// The bytes of slot `k` when it holds some made for `kind` (nil: kept without one).
    @inline(__always)
    func bytes(_ k: Int, kind: EventKind?) -> UnsafeRawBufferPointer? {
        guard k >= 0, k < slots, let p = starts![k], kinds![k] == kind else { return nil }
        return UnsafeRawBufferPointer(start: p, count: counts![k])
    }

    /// Keeps `b` in slot `k` for `kind` (slots outside 0..<65 536 keep nothing).
    mutating func set(_ k: Int, kind: EventKind?, _ b: [UInt8]) {
        guard k >= 0, k < Self.maxSlots else { return }
        if k >= slots { grow(to: k + 1) }
        starts![k]?.deallocate()
        let p = UnsafeMutablePointer<UInt8>.allocate(capacity: max(1, b.count))
        b.withUnsafeBufferPointer { if $0.count > 0 { p.initialize(from: $0.baseAddress!, count: $0.count) } }
        starts![k] = p
        counts![k] = b.count
        kinds![k] = kind
    }

    private mutating func grow(to n: Int) {
        let m = min(Self.maxSlots, max(n, slots * 2, 64))
        let s = UnsafeMutablePointer<UnsafeMutablePointer<UInt8>?>.allocate(capacity: m)
        let c = UnsafeMutablePointer<Int>.allocate(capacity: m)
        let k = UnsafeMutablePointer<EventKind?>.allocate(capacity: m)
        s.initialize(repeating: nil, count: m)
        c.initialize(repeating: 0, count: m)
        k.initialize(repeating: nil, count: m)
        if slots > 0 {
            s.update(from: starts!, count: slots)
            c.update(from: counts!, count: slots)
            k.update(from: kinds!, count: slots)
        }
        starts?.deallocate(); counts?.deallocate(); kinds?.deallocate()
        starts = s; counts = c; kinds = k
        slots = m
    }

    /// Frees every block (the table is not used after).
    mutating func free() {
        for i in 0..<slots { starts![i]?.deallocate() }
        starts?.deallocate(); counts?.deallocate(); kinds?.deallocate()
        starts = nil; counts = nil; kinds = nil
        slots = 0
    }
}
