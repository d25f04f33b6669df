#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Tags the records of one stream with a library, reusing what carries over from line to line:
/// the capture stack of the matcher and the host name's String (nearly every line names the same
/// host as the one before). One per stream and thread: it is not shared.
public final class Tagger {
    public let library: PatternLibrary
    let captures: UnsafeMutableBufferPointer<Capture>
    var lastHostBytes: [UInt8] = []
    var lastHost = ""
    var sources = SourceNameCache()

    public init(_ library: PatternLibrary) {
        self.library = library
        captures = .allocate(capacity: PatternFileParser.maxFields + 8)
    }

    deinit { captures.deallocate() }

    /// Appends the record's tag to `events`; false when it has none.
    @inline(__always)
    public func tag(_ record: SyslogRecord, into events: inout [TaggedEvent], location: () -> SourceLocation) -> Bool {
        library.tag(record, captures: captures, into: &events, host: { hostName(record.host) }, place: {
            let l = location()
            return EventPlace(source: sourceName(l.source), line: l.line, cursor: l.cursor)
        })
    }

    /// Writes the record's tag over `slot` (`RecordBatch.nextTag`), its place given by number, its
    /// message borrowed from the record (whose bytes must stay put while the event is read: a
    /// batch's copy); false when it has none.
    @inline(__always)
    func tagBorrowing(_ record: SyslogRecord, slot: inout TaggedEvent, place: () -> EventPlace) -> Bool {
        library.tag(record, captures: captures, slot: &slot, host: { hostName(record.host) }, place: place, borrow: true)
    }

    /// Writes the record's tag over `slot` (`RecordBatch.nextTag`) with its message copied into
    /// `arena` and borrowed from there; false when it has none.
    @inline(__always)
    func tag(_ record: SyslogRecord, slot: inout TaggedEvent, arena: ByteArena, place: () -> EventPlace) -> Bool {
        library.tag(record, captures: captures, slot: &slot, host: { hostName(record.host) }, place: place, arena: arena)
    }

    /// The number of a source name in `InternedNames`.
    @inline(__always)
    func sourceName(_ s: String) -> Int32 { sources.id(s) }

    @inline(__always)
    func hostName(_ bytes: UnsafeRawBufferPointer) -> String {
        let n = bytes.count
        // Compared in words (`MatchRun.equal`, first byte first): host names are short, a call
        // to memcmp costs more than the comparison.
        if n == lastHostBytes.count, n == 0 || lastHostBytes.withUnsafeBufferPointer({ last in
            let a = last.baseAddress!, b = bytes.baseAddress!.assumingMemoryBound(to: UInt8.self)
            return a[0] == b[0] && MatchRun.equal(a, b, n)
        }) {
            return lastHost
        }
        lastHostBytes = Array(bytes)
        lastHost = String(decoding: bytes, as: UTF8.self)
        return lastHost
    }
}

/// Where a record came from, as an event holds it: the source name's number in `InternedNames`,
/// the line, and the journal cursor.
public struct EventPlace {
    var source: Int32
    public var line: Int
    public var cursor: String?

    init(source: Int32, line: Int, cursor: String?) {
        self.source = source
        self.line = line
        self.cursor = cursor
    }

    public var location: SourceLocation { SourceLocation(source: InternedNames.name(source), line: line, cursor: cursor) }
}

/// Where the current record of a stream came from, as an event holds it: for a rotation set of
/// files (the usual stream) without building a `SourceLocation` per record.
final class StreamPlaces {
    let stream: RecordSource
    let files: ConcatSource?
    var names = SourceNameCache()
    /// The file whose source number is `fileSource`. Held, not just identified: a file closed and
    /// freed could otherwise leave its address to the next one of the set.
    var file: FileRecordSource?
    var fileSource: Int32 = -1

    init(_ stream: RecordSource) {
        self.stream = stream
        files = stream as? ConcatSource
    }

    @inline(__always)
    func current() -> EventPlace {
        if let f = files?.current {
            if f !== file {
                file = f
                fileSource = names.id(f.file.path)
            }
            return EventPlace(source: fileSource, line: f.currentLine(), cursor: nil)
        }
        let l = stream.location()
        return EventPlace(source: names.id(l.source), line: l.line, cursor: l.cursor)
    }
}

/// The number in `InternedNames` of the last source name asked for: records come file after file,
/// so comparing with the last name (the same String, usually) answers without the table's lock.
struct SourceNameCache {
    var last = ""
    var lastID: Int32 = -1

    @inline(__always)
    mutating func id(_ s: String) -> Int32 {
        if lastID >= 0 && s == last { return lastID }
        last = s
        lastID = InternedNames.id(s)
        return lastID
    }
}
