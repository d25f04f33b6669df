#if canImport(Glibc)
import Glibc
#endif

/// Buffered output to a file descriptor, with byte-level escaping for terminals and JSON.
///
/// One fixed buffer (no Array, no growth): small writes are copied into it, and it goes out with
/// one write(2) once it holds `capacity` bytes or on `flush()`. A run longer than the buffer is
/// written straight from the caller's bytes. The escapers copy runs of bytes that need no escaping
/// in bulk (found eight bytes at a time by `ByteScan`) and take the careful path byte by byte only
/// where a control character, DEL or a non-ASCII byte is.
///
/// A closed pipe (`sshlog events | head`) ends the process quietly with status 0, as ripgrep and
/// grep do.
public final class OutputWriter {
    let fd: Int32
    /// Bytes held before a write(2).
    let capacity = 1 << 16
    /// Room past `capacity`, so that a record's small pieces need no flush in between.
    static let slack = 1 << 12
    let base: UnsafeMutablePointer<UInt8>
    let allocated: Int
    var count = 0

    public init(fd: Int32 = 1) {
        self.fd = fd
        allocated = capacity + OutputWriter.slack
        base = .allocate(capacity: allocated)
        signal(SIGPIPE, SIG_IGN)
    }

    deinit {
        flush()
        base.deallocate()
    }

    /// Makes room for `k` more bytes (`k` at most `slack`), flushing first when needed.
    @inline(__always)
    func reserve(_ k: Int) {
        if count + k > allocated { flush() }
    }

    /// Copies `n` bytes into the buffer; a run too long for it is written directly.
    @inline(__always)
    func append(_ p: UnsafeRawPointer, _ n: Int) {
        if count + n <= allocated {
            OutputWriter.copy(base + count, p, n)
            count += n
        } else {
            appendSlow(p, n)
        }
    }

    /// Appends `n` bytes (at most `slack`) when `flags` raises none for any of them (the
    /// escapers' plain bytes: see `ByteScan`), checking and copying in one pass (the scan of
    /// `ByteScan.plainPrefix`, with a store per word); otherwise writes nothing (the bytes copied
    /// past `count` are left there unused) and returns false.
    @inline(__always)
    func appendIfPlain(_ src: UnsafeRawPointer, _ n: Int, _ flags: (UInt64) -> UInt64, _ plain: (UInt8) -> Bool) -> Bool {
        reserve(n)
        let d = UnsafeMutableRawPointer(base + count)
        var acc: UInt64 = 0
        if n >= 8 {
            var k = 0
            while k + 8 < n {
                let w = src.loadUnaligned(fromByteOffset: k, as: UInt64.self)
                acc |= flags(UInt64(littleEndian: w))
                d.storeBytes(of: w, toByteOffset: k, as: UInt64.self)
                k += 8
            }
            let w = src.loadUnaligned(fromByteOffset: n - 8, as: UInt64.self)
            acc |= flags(UInt64(littleEndian: w))
            d.storeBytes(of: w, toByteOffset: n - 8, as: UInt64.self)
        } else if n >= 4 {
            let a = src.loadUnaligned(as: UInt32.self), b = src.loadUnaligned(fromByteOffset: n - 4, as: UInt32.self)
            acc = flags(UInt64(UInt32(littleEndian: a)) | UInt64(UInt32(littleEndian: b)) << 32)
            d.storeBytes(of: a, as: UInt32.self)
            d.storeBytes(of: b, toByteOffset: n - 4, as: UInt32.self)
        } else {
            for k in 0..<n {
                let b = src.load(fromByteOffset: k, as: UInt8.self)
                if !plain(b) { return false }
                d.storeBytes(of: b, toByteOffset: k, as: UInt8.self)
            }
        }
        guard acc == 0 else { return false }
        count += n
        return true
    }

    /// Copies `n` bytes from `src` to `dst` (not overlapping). Up to 64 bytes (nearly every
    /// piece of a record) in words, overlapping the last one, without the call to memcpy, which
    /// costs more than such a copy; longer runs with memcpy. Reads and writes exactly `n` bytes.
    @inline(__always)
    static func copy(_ dst: UnsafeMutablePointer<UInt8>, _ src: UnsafeRawPointer, _ n: Int) {
        let d = UnsafeMutableRawPointer(dst)
        if n >= 8 {
            if n > 64 {
                d.copyMemory(from: src, byteCount: n)
                return
            }
            var k = 0
            while k + 8 < n {
                d.storeBytes(of: src.loadUnaligned(fromByteOffset: k, as: UInt64.self), toByteOffset: k, as: UInt64.self)
                k += 8
            }
            d.storeBytes(of: src.loadUnaligned(fromByteOffset: n - 8, as: UInt64.self), toByteOffset: n - 8, as: UInt64.self)
        } else if n >= 4 {
            let a = src.loadUnaligned(as: UInt32.self), b = src.loadUnaligned(fromByteOffset: n - 4, as: UInt32.self)
            d.storeBytes(of: a, as: UInt32.self)
            d.storeBytes(of: b, toByteOffset: n - 4, as: UInt32.self)
        } else if n > 0 {
            dst[0] = src.load(as: UInt8.self)
            if n > 1 { dst[1] = src.load(fromByteOffset: 1, as: UInt8.self) }
            if n > 2 { dst[2] = src.load(fromByteOffset: 2, as: UInt8.self) }
        }
    }

    @inline(never)
    func appendSlow(_ p: UnsafeRawPointer, _ n: Int) {
        flush()
        if n >= capacity {
            writeAll(p, n)
        } else {
            (base + count).update(from: p.assumingMemoryBound(to: UInt8.self), count: n)
            count += n
        }
    }

    /// Flushes when the buffer holds `capacity` bytes or more.
    @inline(__always)
    func flushIfFull() {
        if count >= capacity { flush() }
    }

    @inline(__always)
    public func write(_ bytes: UnsafeRawBufferPointer) {
        if let p = bytes.baseAddress { append(p, bytes.count) }
        flushIfFull()
    }

    @inline(__always)
    public func write(_ s: String) {
        var s = s
        s.withUTF8 { write(UnsafeRawBufferPointer($0)) }
    }

    @inline(__always)
    public func write(_ s: StaticString) {
        append(s.utf8Start, s.utf8CodeUnitCount)
        flushIfFull()
    }

    @inline(__always)
    public func byte(_ b: UInt8) {
        reserve(1)
        base[count] = b
        count += 1
    }

    /// "00" "01" … "99": decimal digits two at a time.
    static let digitPairs: StaticString = """
        0001020304050607080910111213141516171819202122232425262728293031323334353637383940414243444546474849\
        5051525354555657585960616263646566676869707172737475767778798081828384858687888990919293949596979899
        """

    /// Writes `v` in decimal, as `String(v)` spells it.
    @inline(__always)
    public func writeDecimal(_ v: Int64) {
        reserve(21)
        if v < 0 { base[count] = UInt8(ascii: "-"); count += 1 }
        var m = v.magnitude
        // Backwards from the end of a 20-byte scratch area, then moved into place.
        let end = base + count + 20
        var q = end
        let pairs = OutputWriter.digitPairs.utf8Start
        while m >= 100 {
            let r = Int(m % 100)
            m /= 100
            q -= 2
            q[0] = pairs[2 * r]
            q[1] = pairs[2 * r + 1]
        }
        if m >= 10 {
            q -= 2
            q[0] = pairs[2 * Int(m)]
            q[1] = pairs[2 * Int(m) + 1]
        } else {
            q -= 1
            q[0] = UInt8(truncatingIfNeeded: 0x30 &+ m)
        }
        let len = end - q
        (base + count).update(from: q, count: len)
        count += len
    }

    /// Writes 0 ≤ `v` < 1 000 000 as six digits, zero-padded.
    @inline(__always)
    func writeSixDigits(_ v: UInt32) {
        let v = v % 1_000_000   // never more; but the table must not be read past its end
        reserve(6)
        let pairs = OutputWriter.digitPairs.utf8Start
        let p = base + count
        let hi = Int(v / 10000), mid = Int(v / 100 % 100), lo = Int(v % 100)
        p[0] = pairs[2 * hi]; p[1] = pairs[2 * hi + 1]
        p[2] = pairs[2 * mid]; p[3] = pairs[2 * mid + 1]
        p[4] = pairs[2 * lo]; p[5] = pairs[2 * lo + 1]
        count += 6
    }

    @inline(__always)
    public func writeDecimal(_ v: Int) { writeDecimal(Int64(v)) }

    @inline(never)
    public func flush() {
        guard count > 0 else { return }
        let n = count
        count = 0
        writeAll(UnsafeRawPointer(base), n)
    }

    /// write(2) until all of `p[0..<n]` is out; EPIPE ends the process with status 0, any other
    /// error drops the bytes (stdout gone: nothing to report them on).
    @inline(never)
    func writeAll(_ p: UnsafeRawPointer, _ n: Int) {
        var off = 0
        while off < n {
            let w = Glibc.write(fd, p + off, n - off)
            if w < 0 {
                if errno == EINTR { continue }
                if errno == EPIPE { exit(0) }
                return
            }
            off += w
        }
    }

    static let hex: StaticString = "0123456789abcdef"

    /// `\xNN` for byte `b`; needs 4 bytes of room.
    @inline(__always)
    func escapeHex(_ b: UInt8) {
        let h = OutputWriter.hex.utf8Start
        base[count] = UInt8(ascii: "\\")
        base[count + 1] = UInt8(ascii: "x")
        base[count + 2] = h[Int(b >> 4)]
        base[count + 3] = h[Int(b & 15)]
        count += 4
    }

    /// Writes log bytes for a terminal: C0 controls, DEL, C1 controls and bytes that are not valid
    /// UTF-8 become `\xNN`; the bidi embedding, override and isolate controls and the line and
    /// paragraph separators (U+202A–202E, U+2066–2069, U+2028/2029: they reorder or break what the
    /// terminal shows) become `\u{…}`, as `Sanitizer.terminal` writes them; other valid UTF-8 text
    /// passes unchanged.
    public func writeTerminalSafe(_ bytes: UnsafeRawBufferPointer) {
        guard let p = bytes.baseAddress else { return }
        let n = bytes.count
        var i = 0
        while i < n {
            let run = ByteScan.terminalPlainPrefix(p + i, n - i)
            if run > 0 {
                append(p + i, run)
                i += run
                if i == n { break }
            }
            reserve(8)
            let b = bytes[i]
            let len = b < 0x80 ? 0 : OutputWriter.utf8SequenceLength(bytes, i)
            if len > 0 {
                // Valid multi-byte sequence; C1 controls (U+0080–U+009F) are C2 80–C2 9F.
                if len == 2 && b == 0xC2 && bytes[i + 1] < 0xA0 {
                    escapeHex(b); escapeHex(bytes[i + 1])
                } else if len == 3, let v = OutputWriter.layoutControl(bytes[i], bytes[i + 1], bytes[i + 2]) {
                    writeScalarEscape(v)
                } else {
                    append(p + i, len)
                }
                i += len
            } else {
                // C0 control, DEL, or a byte that does not start a valid sequence.
                escapeHex(b)
                i += 1
            }
        }
        flushIfFull()
    }

    /// The code point of a three-byte sequence when it is a bidi or separator control (see
    /// `writeTerminalSafe`), else nil.
    @inline(__always)
    static func layoutControl(_ a: UInt8, _ b: UInt8, _ c: UInt8) -> UInt32? {
        guard a == 0xE2 else { return nil }
        let v = 0x2000 | UInt32(b & 0x3F) << 6 | UInt32(c & 0x3F)
        return (v >= 0x2028 && v <= 0x202E) || (v >= 0x2066 && v <= 0x2069) ? v : nil
    }

    /// `\u{202e}`: the form `Sanitizer.terminal` gives such a scalar.
    func writeScalarEscape(_ v: UInt32) {
        reserve(12)
        write("\\u{")
        let h: StaticString = "0123456789abcdef"
        var shift = 12
        while shift >= 0 {
            byte(h.utf8Start[Int((v >> UInt32(shift)) & 15)])
            shift -= 4
        }
        byte(UInt8(ascii: "}"))
    }

    /// Writes bytes as the inside of a JSON string: `"` `\` and controls escaped, invalid UTF-8
    /// replaced by U+FFFD, so the output is always valid JSON. DEL, the C1 controls and the line
    /// and bidi controls (U+2028–202E, U+2066–2069) are escaped as `\uXXXX` too, as `JSONWriter`
    /// escapes them: JSON Lines piped to a terminal stays inert (a user name with U+202E cannot
    /// reorder the line it is shown in).
    public func writeJSONString(_ bytes: UnsafeRawBufferPointer) {
        guard let p = bytes.baseAddress else { return }
        let n = bytes.count
        // Nearly always nothing to escape: checked and copied in one pass.
        if n <= OutputWriter.slack, appendIfPlain(p, n, ByteScan.jsonFlags, ByteScan.isJSONPlain) {
            flushIfFull()
            return
        }
        var i = 0
        while i < n {
            let run = ByteScan.jsonPlainPrefix(p + i, n - i)
            if run > 0 {
                append(p + i, run)
                i += run
                if i == n { break }
            }
            reserve(8)
            let (read, written) = OutputWriter.jsonEscape(bytes, i, into: base + count)
            i += read
            count += written
        }
        flushIfFull()
    }

    /// The careful path of `writeJSONString` for the byte at `i`, one that is not JSON-plain:
    /// writes at `dst` (room for 6 bytes) its escape, the valid UTF-8 sequence it starts, or
    /// U+FFFD for a byte that starts none. Returns the bytes read and written.
    @inline(__always)
    static func jsonEscape(_ bytes: UnsafeRawBufferPointer, _ i: Int, into dst: UnsafeMutablePointer<UInt8>) -> (Int, Int) {
        let b = bytes[i]
        if b >= 0x20 && b < 0x7f {
            // `"` or `\`
            dst[0] = UInt8(ascii: "\\")
            dst[1] = b
            return (1, 2)
        }
        if b < 0x20 || b == 0x7f {
            dst[0] = UInt8(ascii: "\\")
            switch b {
            case 0x0A: dst[1] = UInt8(ascii: "n"); return (1, 2)
            case 0x09: dst[1] = UInt8(ascii: "t"); return (1, 2)
            case 0x0D: dst[1] = UInt8(ascii: "r"); return (1, 2)
            default:
                let h = OutputWriter.hex.utf8Start
                dst[1] = UInt8(ascii: "u")
                dst[2] = UInt8(ascii: "0")
                dst[3] = UInt8(ascii: "0")
                dst[4] = h[Int(b >> 4)]
                dst[5] = h[Int(b & 15)]
                return (1, 6)
            }
        }
        let len = OutputWriter.utf8SequenceLength(bytes, i)
        if len > 0 {
            var control: UInt32? = nil
            if len == 2 && b == 0xC2 && bytes[i + 1] < 0xA0 {
                control = UInt32(bytes[i + 1])
            } else if len == 3 {
                control = OutputWriter.layoutControl(b, bytes[i + 1], bytes[i + 2])
            }
            if let v = control {
                let h = OutputWriter.hex.utf8Start
                dst[0] = UInt8(ascii: "\\")
                dst[1] = UInt8(ascii: "u")
                dst[2] = h[Int(v >> 12 & 15)]
                dst[3] = h[Int(v >> 8 & 15)]
                dst[4] = h[Int(v >> 4 & 15)]
                dst[5] = h[Int(v & 15)]
                return (len, 6)
            }
            for k in 0..<len { dst[k] = bytes[i + k] }
            return (len, len)
        }
        dst[0] = 0xEF; dst[1] = 0xBF; dst[2] = 0xBD
        return (1, 3)
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
