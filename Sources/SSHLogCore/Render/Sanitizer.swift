/// Makes attacker-controlled log text safe to show.
///
/// User names and client version strings come from the network. Written raw to a terminal, an
/// ESC byte could move the cursor, change the title or hide lines. Every renderer passes log text
/// through here (or through the format's own escaping).
public enum Sanitizer {
    /// Text for a terminal: C0 controls (tab included, as `\x09`, so columns stay put), DEL and C1
    /// controls become visible escapes (`\x1b`, `\x7f`, `\x9b`); so do the bidi embedding,
    /// override and isolate controls and the line and paragraph separators (`\u{202e}`), which
    /// reorder or break what a terminal shows; invalid UTF-8 becomes U+FFFD.
    public static func terminal(_ s: String) -> String {
        // Printable ASCII (most text) is safe as it is: checked eight bytes at a time.
        let plain = s.utf8.withContiguousStorageIfAvailable { b in
            b.isEmpty || ByteScan.terminalPlainPrefix(b.baseAddress!, b.count) == b.count
        }
        if plain == true { return s }
        var needs = false
        for u in s.unicodeScalars where isUnsafe(u) { needs = true; break }
        if !needs { return s }
        var out = String()
        out.reserveCapacity(s.utf8.count + 8)
        for u in s.unicodeScalars {
            if isUnsafe(u) {
                if u.value < 0x100 {
                    out += "\\x" + hex2(UInt8(u.value))
                } else {
                    out += "\\u{" + String(u.value, radix: 16) + "}"
                }
            } else {
                out.unicodeScalars.append(u)
            }
        }
        return out
    }

    /// Bytes for a terminal: decodes UTF-8 leniently (invalid sequences become U+FFFD), then
    /// escapes controls as `terminal(_:)` does.
    public static func terminal(bytes: UnsafeRawBufferPointer) -> String {
        terminal(String(decoding: bytes, as: UTF8.self))
    }

    @inline(__always)
    static func isUnsafe(_ u: Unicode.Scalar) -> Bool {
        let v = u.value
        return v < 0x20 || v == 0x7f || (v >= 0x80 && v < 0xa0)
            || v == 0x2028 || v == 0x2029 || (v >= 0x202a && v <= 0x202e) || (v >= 0x2066 && v <= 0x2069)
    }

    static func hex2(_ b: UInt8) -> String {
        let digits: [Character] = Array("0123456789abcdef")
        return String([digits[Int(b >> 4)], digits[Int(b & 15)]])
    }
}
