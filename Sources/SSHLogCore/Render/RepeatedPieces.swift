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
    /// The snippet of each source seen, and the last one's (the usual case: one file at a time).
    var sources: [Int32: [UInt8]] = [:]
    var lastSource: Int32 = -1
    var lastSourceSnippet: [UInt8] = []
    var patterns: [[UInt8]] = []
    var patternKinds: [EventKind?] = []
    /// Where snippets are made (never flushed: nothing is written to a file).
    let scratch = OutputWriter(fd: -1)

    deinit {
        keys.deallocate()
        snippets.deallocate()
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
        if id == lastSource { lastSourceSnippet.withUnsafeBytes { out.write($0) }; return }
        sourceMissed(id, out)
    }

    @inline(never)
    func sourceMissed(_ id: Int32, _ out: OutputWriter) {
        if let s = sources[id] {
            lastSource = id
            lastSourceSnippet = s
            s.withUnsafeBytes { out.write($0) }
            return
        }
        let write = { (o: OutputWriter) in
            o.write("\",\"source\":\"" as StaticString)
            o.writeJSONString(InternedNames.name(id))
            o.write("\",\"line\":" as StaticString)
        }
        if sources.count < 1024, InternedNames.name(id).utf8.count <= 4096, let made = made(write) {
            sources[id] = made
            lastSource = id
            lastSourceSnippet = made
            made.withUnsafeBytes { out.write($0) }
        } else {
            write(out)
        }
    }

    /// `  ⟨kind` of the text format, per pattern number (the kind's name is ASCII: nothing to
    /// escape).
    var textKinds: [[UInt8]] = []
    var textKindOf: [EventKind?] = []

    @inline(__always)
    func textKind(_ kind: EventKind, _ pattern: Int32, _ out: OutputWriter) {
        let k = Int(pattern)
        if k >= 0, k < textKinds.count, textKindOf[k] == kind { textKinds[k].withUnsafeBytes { out.write($0) }; return }
        out.write("  ⟨" as StaticString)
        out.write(kind.rawValue)
        guard k >= 0, k < 65_536 else { return }
        if k >= textKinds.count {
            textKinds += Array(repeating: [], count: k + 1 - textKinds.count)
            textKindOf += Array(repeating: nil, count: k + 1 - textKindOf.count)
        }
        textKinds[k] = Array("  ⟨".utf8) + Array(kind.rawValue.utf8)
        textKindOf[k] = kind
    }

    @inline(__always)
    func kindAndPattern(_ kind: EventKind, _ pattern: Int32, _ out: OutputWriter) {
        let k = Int(pattern)
        if k >= 0, k < patterns.count, patternKinds[k] == kind { patterns[k].withUnsafeBytes { out.write($0) }; return }
        let write = { (o: OutputWriter) in
            o.write(",\"kind\":\"" as StaticString)
            o.write(kind.rawValue)
            o.write("\",\"pattern\":\"" as StaticString)
            o.writeJSONString(InternedNames.name(pattern))
            o.write("\",\"fields\":{" as StaticString)
        }
        if k >= 0, k < 65_536, let made = made(write) {
            if k >= patterns.count {
                patterns += Array(repeating: [], count: k + 1 - patterns.count)
                patternKinds += Array(repeating: nil, count: k + 1 - patternKinds.count)
            }
            patterns[k] = made
            patternKinds[k] = kind
            made.withUnsafeBytes { out.write($0) }
        } else {
            write(out)
        }
    }
}
