#if canImport(Glibc)
import Glibc
#endif

/// Splits a byte stream into lines, reading large blocks into one reused buffer.
///
/// A line ends at `\n` (LF). A `\r` just before it (CRLF files) is dropped. The last line may lack
/// its `\n`. No other byte is special: NUL and invalid UTF-8 pass through as bytes. A line longer
/// than `maxLine` bytes is cut: its first `maxLine` bytes are returned (and counted in `cutLines`),
/// the rest up to the next `\n` is skipped.
///
/// - Complexity: O(n) in the bytes read; each byte is scanned once by `memchr`, and only the tail of
///   a block (a partial line) is moved when the buffer is refilled.
public final class LineReader {
    let source: ByteSource
    let buffer: UnsafeMutableRawBufferPointer
    let blockSize: Int
    public let maxLine: Int
    var start = 0
    var end = 0
    var eof = false
    var discarding = false
    /// 1-based number of the line last returned.
    public private(set) var lineNumber = 0
    /// How many lines were cut at `maxLine`, and the number of the first one.
    public private(set) var cutLines = 0
    public private(set) var firstCutLine = 0

    public init(source: ByteSource, blockSize: Int = 256 * 1024, maxLine: Int = 64 * 1024) {
        self.source = source
        self.blockSize = blockSize
        self.maxLine = maxLine
        buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: blockSize + maxLine, alignment: 64)
    }

    deinit { buffer.deallocate() }

    /// Starts numbering at `n + 1` (after a seek, when the line number is not known, pass 0).
    public func setLineNumber(_ n: Int) { lineNumber = n }

    /// The next line, valid until the next call; nil at the end of the stream.
    /// - Throws: the source's read error (`SSHLogError`).
    @inline(__always)
    public func nextLine() throws -> UnsafeRawBufferPointer? {
        let base = buffer.baseAddress!
        while true {
            if start < end, let nl = memchr(base + start, 0x0A, end - start) {
                let p = base.distance(to: nl)
                let s = start
                start = p + 1
                if discarding { discarding = false; continue }
                lineNumber += 1
                var e = p
                if e > s && base.load(fromByteOffset: e - 1, as: UInt8.self) == 0x0D { e -= 1 }
                return UnsafeRawBufferPointer(start: base + s, count: e - s)
            }
            // No newline in the buffered bytes.
            if end - start >= maxLine {
                let s = start
                start = end
                if discarding { continue }
                discarding = true
                lineNumber += 1
                cutLines += 1
                if cutLines == 1 { firstCutLine = lineNumber }
                return UnsafeRawBufferPointer(start: base + s, count: maxLine)
            }
            if eof {
                if start < end {
                    let s = start
                    start = end
                    if discarding { discarding = false; return nil }
                    lineNumber += 1
                    return UnsafeRawBufferPointer(start: base + s, count: end - s)
                }
                return nil
            }
            // Move the partial line to the front and read another block behind it.
            if start > 0 {
                let n = end - start
                if n > 0 { memmove(base, base + start, n) }
                start = 0
                end = n
            }
            let room = buffer.count - end
            let n = try source.read(into: UnsafeMutableRawBufferPointer(start: base + end, count: min(room, blockSize)))
            if n == 0 { eof = true } else { end += n }
        }
    }
}
