/// A small JSON writer with a fixed key order (the documented schemas are stable, so keys come
/// out in the order the schema lists them). Strings are escaped per RFC 8259: quote, backslash
/// and every control character (U+0000–U+001F) escaped; DEL, C1 controls and the Unicode line
/// and bidi controls also as `\uXXXX`, so that JSON piped to a terminal stays inert.
public struct JSONWriter {
    public private(set) var out = ""
    private var needComma: [Bool] = [false]
    let pretty: Bool

    public init(pretty: Bool = true) {
        self.pretty = pretty
    }

    /// A line break and the indentation of each depth (made once, not per line).
    private static let indents: [String] = (0..<24).map { "\n" + String(repeating: "  ", count: $0) }

    private mutating func indent() {
        guard pretty else { return }
        let depth = needComma.count - 1
        if depth < JSONWriter.indents.count {
            out += JSONWriter.indents[depth]
        } else {
            out += "\n" + String(repeating: "  ", count: depth)
        }
    }

    private mutating func separator() {
        if needComma[needComma.count - 1] { out += "," }
        needComma[needComma.count - 1] = true
        indent()
    }

    public mutating func beginObject(_ key: String? = nil) {
        prefix(key)
        out += "{"
        needComma.append(false)
    }

    public mutating func endObject() {
        let had = needComma.removeLast()
        if had { indent() }
        out += "}"
    }

    public mutating func beginArray(_ key: String? = nil) {
        prefix(key)
        out += "["
        needComma.append(false)
    }

    public mutating func endArray() {
        let had = needComma.removeLast()
        if had { indent() }
        out += "]"
    }

    private mutating func prefix(_ key: String?) {
        if needComma.count > 1 || !out.isEmpty { separator() }
        if let key {
            appendQuoted(key)
            out += pretty ? ": " : ":"
        }
    }

    public mutating func string(_ key: String?, _ v: String?) {
        prefix(key)
        if let v { appendQuoted(v) } else { out += "null" }
    }

    /// `quote(s)` appended to `out` (the plain case without a temporary String).
    private mutating func appendQuoted(_ s: String) {
        if JSONWriter.isPlain(s) {
            out += "\""
            out += s
            out += "\""
        } else {
            out += JSONWriter.quote(s)
        }
    }

    /// Printable ASCII without a quote or backslash: copied as it is.
    private static func isPlain(_ s: String) -> Bool {
        let plain = s.utf8.withContiguousStorageIfAvailable { b in
            for x in b where x < 0x20 || x >= 0x7f || x == 0x22 || x == 0x5c { return false }
            return true
        }
        return plain == true
    }

    public mutating func int(_ key: String?, _ v: Int?) {
        prefix(key)
        out += v.map { String($0) } ?? "null"
    }

    public mutating func bool(_ key: String?, _ v: Bool?) {
        prefix(key)
        out += v.map { $0 ? "true" : "false" } ?? "null"
    }

    public mutating func double(_ key: String?, _ v: Double?) {
        prefix(key)
        guard let v, v.isFinite else { out += "null"; return }
        out += v == v.rounded() && abs(v) < 1e15 ? String(Int64(v)) : String(v)
    }

    public mutating func time(_ key: String?, _ us: Int64?) {
        string(key, us.map(TimeText.rfc3339))
    }

    public mutating func strings(_ key: String?, _ vs: [String]) {
        beginArray(key)
        for v in vs { string(nil, v) }
        endArray()
    }

    public static func quote(_ s: String) -> String {
        // Most strings are printable ASCII without a quote or backslash: copied as they are.
        if isPlain(s) { return "\"" + s + "\"" }
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
