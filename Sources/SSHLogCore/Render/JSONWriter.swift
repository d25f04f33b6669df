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
        for _ in 0..<(needComma.count - 1) { put("  ") }
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

    /// `quote(s)` appended: plain printable ASCII (most strings) is copied as it is.
    private mutating func putQuoted(_ s: String) {
        var s = s
        let plain = s.withUTF8 { b -> Bool in
            for x in b where x < 0x20 || x >= 0x7f || x == 0x22 || x == 0x5c { return false }
            bytes.append(0x22)
            bytes.append(contentsOf: b)
            bytes.append(0x22)
            return true
        }
        if !plain { put(JSONWriter.quote(s)) }
    }

    public static func quote(_ s: String) -> String {
        var o = "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": o += "\\\""
            case "\\": o += "\\\\"
            case "\n": o += "\\n"
            case "\r": o += "\\r"
            case "\t": o += "\\t"
            default:
                let v = u.value
                if v < 0x20 || v == 0x7f || (v >= 0x80 && v < 0xa0) || v == 0x2028 || v == 0x2029
                    || (v >= 0x202a && v <= 0x202e) || (v >= 0x2066 && v <= 0x2069) {
                    let h = String(v, radix: 16)
                    o += "\\u" + String(repeating: "0", count: 4 - h.count) + h
                } else {
                    o.unicodeScalars.append(u)
                }
            }
        }
        return o + "\""
    }
}
