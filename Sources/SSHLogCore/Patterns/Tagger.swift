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

    public init(_ library: PatternLibrary) {
        self.library = library
        captures = .allocate(capacity: PatternFileParser.maxFields + 8)
    }

    deinit { captures.deallocate() }

    /// The record's tag, or nil (see `PatternLibrary.tag`).
    @inline(__always)
    public func tag(_ record: SyslogRecord, location: () -> SourceLocation) -> TaggedEvent? {
        library.tag(record, captures: captures, host: { hostName(record.host) }, location: location)
    }

    /// Appends the record's tag to `events`; false when it has none.
    @inline(__always)
    public func tag(_ record: SyslogRecord, into events: inout [TaggedEvent], location: () -> SourceLocation) -> Bool {
        library.tag(record, captures: captures, into: &events, host: { hostName(record.host) }, location: location)
    }

    @inline(__always)
    func hostName(_ bytes: UnsafeRawBufferPointer) -> String {
        let n = bytes.count
        if n == lastHostBytes.count, n == 0 || lastHostBytes.withUnsafeBytes({ memcmp($0.baseAddress!, bytes.baseAddress!, n) == 0 }) {
            return lastHost
        }
        lastHostBytes = Array(bytes)
        lastHost = String(decoding: bytes, as: UTF8.self)
        return lastHost
    }
}
