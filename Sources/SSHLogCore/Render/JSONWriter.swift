/// A small JSON writer with a fixed key order (the documented schemas are stable, so keys come
/// out in the order the schema lists them). Strings are escaped per RFC 8259: quote, backslash
/// and every control character (U+0000–U+001F) escaped; DEL, C1 controls and the Unicode line
/// and bidi controls also as `\uXXXX`, so that JSON piped to a terminal stays inert.
///
/// The text is built as UTF-8 bytes (appending to a String costs a uniqueness and capacity check
/// and an ASCII scan per piece) and made a String once, by `out`.
public struct JSONWriter {
    private var bytes: [UInt8] = []
    private var needComma: [Bool] = [false]
    let pretty: Bool
    private static let spaces = [UInt8](repeating: UInt8(ascii: " "), count: 64)

    public init(pretty: Bool = true) {
        self.pretty = pretty
        bytes.reserveCapacity(1 << 12)
    }

    /// The JSON written so far.
    public var out: String { String(decoding: bytes, as: UTF8.self) }

    @inline(__always)
    private mutating func put(_ s: StaticString) {
        bytes.append(contentsOf: UnsafeBufferPointer(start: s.utf8Start, count: s.utf8CodeUnitCount))
    }

    @inline(__always)
    private mutating func put(_ s: String) {
        var s = s
        s.withUTF8 { bytes.append(contentsOf: $0) }
    }

    private mutating func indent() {
        guard pretty else { return }
        bytes.append(0x0A)
        // One copy for the whole indent (two spaces a level), not one append per level.
        let n = 2 * (needComma.count - 1)
        if n <= JSONWriter.spaces.count {
            JSONWriter.spaces.withUnsafeBufferPointer { bytes.append(contentsOf: UnsafeBufferPointer(rebasing: $0[0..<n])) }
        } else {
            bytes.append(contentsOf: repeatElement(UInt8(ascii: " "), count: n))
        }
    }

    private mutating func separator() {
        if needComma[needComma.count - 1] { bytes.append(UInt8(ascii: ",")) }
        needComma[needComma.count - 1] = true
        indent()
    }

    public mutating func beginObject(_ key: String? = nil) {
        prefix(key)
        bytes.append(UInt8(ascii: "{"))
        needComma.append(false)
    }

    public mutating func endObject() {
        let had = needComma.removeLast()
        if had { indent() }
        bytes.append(UInt8(ascii: "}"))
    }

    public mutating func beginArray(_ key: String? = nil) {
        prefix(key)
        bytes.append(UInt8(ascii: "["))
        needComma.append(false)
    }

    public mutating func endArray() {
        let had = needComma.removeLast()
        if had { indent() }
        bytes.append(UInt8(ascii: "]"))
    }

    private mutating func prefix(_ key: String?) {
        if needComma.count > 1 || !bytes.isEmpty { separator() }
        if let key {
            putQuoted(key)
            if pretty { put(": ") } else { put(":") }
        }
    }

    public mutating func string(_ key: String?, _ v: String?) {
        prefix(key)
        if let v { putQuoted(v) } else { put("null") }
    }

    public mutating func int(_ key: String?, _ v: Int?) {
        prefix(key)
        if let v { put(String(v)) } else { put("null") }
    }

    public mutating func bool(_ key: String?, _ v: Bool?) {
        prefix(key)
        guard let v else { put("null"); return }
        if v { put("true") } else { put("false") }
    }

    public mutating func double(_ key: String?, _ v: Double?) {
        prefix(key)
        guard let v, v.isFinite else { put("null"); return }
        put(v == v.rounded() && abs(v) < 1e15 ? String(Int64(v)) : String(v))
    }

    public mutating func time(_ key: String?, _ us: Int64?) {
        string(key, us.map(TimeText.rfc3339))
    }

    public mutating func strings(_ key: String?, _ vs: [String]) {
        beginArray(key)
        for v in vs { string(nil, v) }
        endArray()
    }

    /// `s` as a JSON string (the escapes in the type's documentation), working on the UTF-8
    /// bytes: runs that need no escape are copied whole. (A String's bytes are valid UTF-8, so the escaped code points are recognised by
    /// their encodings: C1 controls `C2 80`–`C2 9F`, U+2028–U+202E `E2 80 A8`–`AE`, U+2066–U+2069
    /// `E2 81 A6`–`A9`.)
    private mutating func putQuoted(_ s: String) {
        var s = s
        s.withUTF8 { b in
            bytes.append(0x22)
            var run = 0
            var i = 0
            let n = b.count
            while i < n {
                // Runs that go in unchanged are skipped eight bytes at a time; the rest is looked
                // at byte by byte, as before.
                i += ByteScan.jsonPlainPrefix(b.baseAddress! + i, n - i)
                if i >= n { break }
                let x = b[i]
                var escape: UInt32? = nil
                var width = 1
                if x < 0x20 || x == 0x22 || x == 0x5c || x == 0x7f {
                    escape = UInt32(x)
                } else if x == 0xC2, i + 1 < n, b[i + 1] >= 0x80, b[i + 1] <= 0x9F {
                    escape = UInt32(b[i + 1])
                    width = 2
                } else if x == 0xE2, i + 2 < n, (b[i + 1] == 0x80 && b[i + 2] >= 0xA8 && b[i + 2] <= 0xAE)
                            || (b[i + 1] == 0x81 && b[i + 2] >= 0xA6 && b[i + 2] <= 0xA9) {
                    escape = 0x2000 | UInt32(b[i + 1] & 0x3F) << 6 | UInt32(b[i + 2] & 0x3F)
                    width = 3
                }
                guard let v = escape else {
                    i += 1
                    continue
                }
                if i > run { bytes.append(contentsOf: UnsafeBufferPointer(rebasing: b[run..<i])) }
                putEscape(v)
                i += width
                run = i
            }
            if n > run { bytes.append(contentsOf: UnsafeBufferPointer(rebasing: b[run..<n])) }
            bytes.append(0x22)
        }
    }

    /// The escape of one code point: the short forms for quote, backslash, newline, return and
    /// tab, else `\uXXXX` in lowercase hex.
    private mutating func putEscape(_ v: UInt32) {
        switch v {
        case 0x22: put("\\\"")
        case 0x5C: put("\\\\")
        case 0x0A: put("\\n")
        case 0x0D: put("\\r")
        case 0x09: put("\\t")
        default:
            let hex: StaticString = "0123456789abcdef"
            put("\\u")
            for shift in stride(from: 12, through: 0, by: -4) {
                bytes.append(hex.utf8Start[Int(v >> UInt32(shift) & 0xF)])
            }
        }
    }
}
