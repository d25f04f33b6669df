#if canImport(Glibc)
import Glibc
#endif

/// Buffered output to a file descriptor, with byte-level escaping for terminals and JSON.
///
/// A closed pipe (`sshlog events | head`) ends the process quietly with status 0, as ripgrep and
/// grep do.
public final class OutputWriter {
    let fd: Int32
    var buf: [UInt8] = []
    let capacity = 1 << 16

    public init(fd: Int32 = 1) {
        self.fd = fd
        buf.reserveCapacity(capacity + 4096)
        signal(SIGPIPE, SIG_IGN)
    }

    deinit { flush() }

    @inline(__always)
    public func write(_ bytes: UnsafeRawBufferPointer) {
        buf.append(contentsOf: bytes)
        if buf.count >= capacity { flush() }
    }

    @inline(__always)
    public func write(_ s: String) {
        var s = s
        s.withUTF8 { write(UnsafeRawBufferPointer($0)) }
    }

    @inline(__always)
    public func byte(_ b: UInt8) { buf.append(b) }

    public func flush() {
        guard !buf.isEmpty else { return }
        buf.withUnsafeBytes { raw in
            var off = 0
            while off < raw.count {
                let n = Glibc.write(fd, raw.baseAddress! + off, raw.count - off)
                if n < 0 {
                    if errno == EINTR { continue }
                    if errno == EPIPE { exit(0) }
                    return
                }
                off += n
            }
        }
        buf.removeAll(keepingCapacity: true)
    }

    static let hex: [UInt8] = Array("0123456789abcdef".utf8)

    /// Writes log bytes for a terminal: C0 controls, DEL, C1 controls and bytes that are not valid
    /// UTF-8 become `\xNN`; valid UTF-8 text passes unchanged.
    public func writeTerminalSafe(_ bytes: UnsafeRawBufferPointer) {
        let n = bytes.count
        var i = 0
        var runStart = 0
        func escape(_ b: UInt8) {
            buf.append(UInt8(ascii: "\\")); buf.append(UInt8(ascii: "x"))
            buf.append(OutputWriter.hex[Int(b >> 4)]); buf.append(OutputWriter.hex[Int(b & 15)])
        }
        while i < n {
            let b = bytes[i]
            if b >= 0x20 && b < 0x7f { i += 1; continue }
            if i > runStart { buf.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[runStart..<i])) }
            let len = OutputWriter.utf8SequenceLength(bytes, i)
            if len > 0 {
                // Valid multi-byte sequence; C1 controls (U+0080–U+009F) are C2 80–C2 9F.
                if len == 2 && b == 0xC2 && bytes[i + 1] < 0xA0 { escape(b); escape(bytes[i + 1]) }
                else { buf.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[i..<(i + len)])) }
                i += len
            } else {
                escape(b)
                i += 1
            }
            runStart = i
        }
        if n > runStart { buf.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[runStart..<n])) }
        if buf.count >= capacity { flush() }
    }

    /// Writes bytes as the inside of a JSON string: `"` `\` and controls escaped, invalid UTF-8
    /// replaced by U+FFFD, so the output is always valid JSON.
    public func writeJSONString(_ bytes: UnsafeRawBufferPointer) {
        let n = bytes.count
        var i = 0
        while i < n {
            let b = bytes[i]
            if b >= 0x20 && b < 0x7f {
                if b == UInt8(ascii: "\"") || b == UInt8(ascii: "\\") { buf.append(UInt8(ascii: "\\")) }
                buf.append(b)
                i += 1
                continue
            }
            if b < 0x20 || b == 0x7f {
                switch b {
                case 0x0A: buf.append(UInt8(ascii: "\\")); buf.append(UInt8(ascii: "n"))
                case 0x09: buf.append(UInt8(ascii: "\\")); buf.append(UInt8(ascii: "t"))
                case 0x0D: buf.append(UInt8(ascii: "\\")); buf.append(UInt8(ascii: "r"))
                default:
                    for c in "\\u00".utf8 { buf.append(c) }
                    buf.append(OutputWriter.hex[Int(b >> 4)]); buf.append(OutputWriter.hex[Int(b & 15)])
                }
                i += 1
                continue
            }
            let len = OutputWriter.utf8SequenceLength(bytes, i)
            if len > 0 {
                buf.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[i..<(i + len)]))
                i += len
            } else {
                buf.append(0xEF); buf.append(0xBF); buf.append(0xBD)
                i += 1
            }
        }
        if buf.count >= capacity { flush() }
    }

    public func writeJSONString(_ s: String) {
        var s = s
        s.withUTF8 { writeJSONString(UnsafeRawBufferPointer($0)) }
    }

    /// Length of the valid UTF-8 sequence starting at `i`, or 0 if invalid (overlongs and
    /// surrogates rejected).
    @inline(__always)
    static func utf8SequenceLength(_ s: UnsafeRawBufferPointer, _ i: Int) -> Int {
        let b = s[i]
        let n = s.count
        func cont(_ k: Int) -> Bool { k < n && s[k] & 0xC0 == 0x80 }
        if b >= 0xC2 && b <= 0xDF { return cont(i + 1) ? 2 : 0 }
        if b >= 0xE0 && b <= 0xEF {
            guard cont(i + 1), cont(i + 2) else { return 0 }
            let b1 = s[i + 1]
            if b == 0xE0 && b1 < 0xA0 { return 0 }
            if b == 0xED && b1 >= 0xA0 { return 0 }
            return 3
        }
        if b >= 0xF0 && b <= 0xF4 {
            guard cont(i + 1), cont(i + 2), cont(i + 3) else { return 0 }
            let b1 = s[i + 1]
            if b == 0xF0 && b1 < 0x90 { return 0 }
            if b == 0xF4 && b1 >= 0x90 { return 0 }
            return 4
        }
        return 0
    }
}
