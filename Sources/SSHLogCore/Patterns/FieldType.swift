/// The typed fields of the pattern language (`<name:type>` in a template) and their byte scanners.
///
/// Scanners work on raw message bytes and never allocate. A *token* type (`int`, `num`, `word`,
/// `ipv4`, `ipv6`, `ip`, `host`) has a fixed shape and a longest match at a position; the *span*
/// types (`user`, `text`, `rest`) match any bytes and are placed by the matcher from the structure
/// that follows them.
public enum FieldType: String, CaseIterable, Sendable {
    /// Decimal digits: `port`, `pid`, codes.
    case int
    /// Decimal number with an optional fraction: `16.668` penalty seconds.
    case num
    /// A run of bytes other than blanks and `,;"'()[]{}<>`.
    case word
    /// Dotted quad (leading zeros allowed, as some logs show them).
    case ipv4
    /// IPv6 in any textual form, with an optional embedded IPv4 tail and `%zone`.
    case ipv6
    /// IPv4 or IPv6. `::ffff:a.b.c.d` is reported as `a.b.c.d`.
    case ip
    /// An address or a DNS name (sshd with UseDNS logs names).
    case host
    /// A user name: any bytes, possibly empty or containing spaces, `from` and `port`. The matcher
    /// makes it as long as the rest of the template allows (so the client is the *last* address).
    case user
    /// Any bytes up to the next literal, as short as the rest of the template allows.
    case text
    /// Everything to the end of the message.
    case rest

    /// One-line descriptions for help texts and `patterns/README.md`.
    public var summary: String {
        switch self {
        case .int: return "decimal digits"
        case .num: return "decimal number, optional fraction"
        case .word: return "non-blank run without , ; \" ' ( ) [ ] { } < >"
        case .ipv4: return "dotted-quad IPv4 address"
        case .ipv6: return "IPv6 address (::ffff:a.b.c.d and %zone accepted)"
        case .ip: return "IPv4 or IPv6 address"
        case .host: return "address or DNS name"
        case .user: return "attacker-controlled name: any text, longest that lets the rest match"
        case .text: return "any text up to the next literal, shortest that lets the rest match"
        case .rest: return "everything to the end of the message"
        }
    }

    /// True for the types placed by the matcher (any bytes), false for fixed-shape tokens.
    var isSpan: Bool { self == .user || self == .text || self == .rest }

    /// Length of the longest token of this type starting at `pos`, or 0 when there is none.
    /// Only for token types.
    @inline(__always)
    func scan(_ p: UnsafePointer<UInt8>, _ pos: Int, _ end: Int) -> Int {
        switch self {
        case .int: return FieldScan.digits(p, pos, end)
        case .num: return FieldScan.number(p, pos, end)
        case .word: return FieldScan.word(p, pos, end)
        case .ipv4: return FieldScan.ipv4(p, pos, end)
        case .ipv6: return FieldScan.ipv6(p, pos, end)
        case .ip: return FieldScan.ip(p, pos, end)
        case .host: return FieldScan.host(p, pos, end)
        case .user, .text, .rest: return 0
        }
    }

    /// Whether the matcher may retry this token type with a shorter length when what follows
    /// does not fit (`Removed session 7.`: the word is `7`, not `7.`).
    var backtracksShorter: Bool { self == .word || self == .host || self == .num }

    /// Whether byte `c` may be part of a token of this type (a superset is fine: the compiler uses
    /// it to rule out giving bytes back, so that a shorter token is never followed by `c`).
    func canHold(_ c: UInt8) -> Bool {
        switch self {
        case .int: return FieldScan.isDigit(c)
        case .num: return FieldScan.isDigit(c) || c == UInt8(ascii: ".")
        case .word: return !FieldScan.isWordStop(c)
        case .ipv4, .ipv6, .ip, .host: return FieldScan.isHostByte(c)
        case .user, .text, .rest: return true
        }
    }
}

/// Byte-level scanners for the token types.
enum FieldScan {
    @inline(__always) static func isDigit(_ c: UInt8) -> Bool { c &- 0x30 < 10 }
    @inline(__always) static func isHex(_ c: UInt8) -> Bool {
        c &- 0x30 < 10 || (c | 0x20) &- 0x61 < 6
    }

    /// Bytes that end a `word`: blanks and `,;"'()[]{}<>`.
    @inline(__always) static func isWordStop(_ c: UInt8) -> Bool {
        switch c {
        case 0x20, 0x09, UInt8(ascii: ","), UInt8(ascii: ";"), UInt8(ascii: "\""), UInt8(ascii: "'"),
             UInt8(ascii: "("), UInt8(ascii: ")"), UInt8(ascii: "["), UInt8(ascii: "]"), UInt8(ascii: "{"),
             UInt8(ascii: "}"), UInt8(ascii: "<"), UInt8(ascii: ">"):
            return true
        default:
            return false
        }
    }

    /// Bits of `classes`: which token types a byte may continue.
    static let digitClass: UInt8 = 1, hostClass: UInt8 = 2, wordClass: UInt8 = 4

    /// Per byte value, its classes (made from `isDigit`, `isHostByte` and `isWordStop`, so the
    /// table and the predicates cannot disagree): one load per byte in the matcher's scans.
    static let classes: UnsafePointer<UInt8> = {
        let t = UnsafeMutablePointer<UInt8>.allocate(capacity: 256)
        for c in 0...255 {
            let b = UInt8(c)
            t[c] = (isDigit(b) ? digitClass : 0) | (isHostByte(b) ? hostClass : 0) | (isWordStop(b) ? 0 : wordClass)
        }
        return UnsafePointer(t)
    }()

    /// Bytes of a DNS name or an address: letters, digits, `.-_:%`.
    @inline(__always) static func isHostByte(_ c: UInt8) -> Bool {
        // Bit c of (hostLow, hostHigh): `%-.0-9:` below 64, `A-Z_a-z` from 64 to 127.
        let word = c < 64 ? hostLow : (c < 128 ? hostHigh : 0)
        return (word >> UInt64(c & 63)) & 1 != 0
    }
    static let hostLow: UInt64 = 1 << 0x25 | 1 << 0x2D | 1 << 0x2E | 0x3FF << 0x30 | 1 << 0x3A
    static let hostHigh: UInt64 = 0x3FF_FFFF << (0x41 - 64) | 1 << (0x5F - 64) | 0x3FF_FFFF << (0x61 - 64)

    static func digits(_ p: UnsafePointer<UInt8>, _ pos: Int, _ end: Int) -> Int {
        var i = pos
        while i < end, isDigit(p[i]) { i += 1 }
        return i - pos
    }

    static func number(_ p: UnsafePointer<UInt8>, _ pos: Int, _ end: Int) -> Int {
        let n = digits(p, pos, end)
        guard n > 0 else { return 0 }
        var i = pos + n
        if i + 1 < end, p[i] == UInt8(ascii: "."), isDigit(p[i + 1]) {
            i += 1
            i += digits(p, i, end)
        }
        return i - pos
    }

    static func word(_ p: UnsafePointer<UInt8>, _ pos: Int, _ end: Int) -> Int {
        var i = pos
        while i < end, !isWordStop(p[i]) { i += 1 }
        return i - pos
    }

    /// Dotted quad: four groups of 1-3 digits, each ≤ 255.
    static func ipv4(_ p: UnsafePointer<UInt8>, _ pos: Int, _ end: Int) -> Int {
        var i = pos
        for group in 0..<4 {
            if group > 0 {
                guard i < end, p[i] == UInt8(ascii: ".") else { return 0 }
                i += 1
            }
            var v = 0, n = 0
            while i < end, n < 3, isDigit(p[i]) { v = v * 10 + Int(p[i] &- 0x30); i += 1; n += 1 }
            guard n > 0, v <= 255 else { return 0 }
        }
        // A fourth group followed by more digits or another dot-digit is not an address.
        if i < end, isDigit(p[i]) { return 0 }
        if i + 1 < end, p[i] == UInt8(ascii: "."), isDigit(p[i + 1]) { return 0 }
        return i - pos
    }

    /// IPv6: hex groups separated by `:` with at most one `::`, 2-8 groups (or an IPv4 tail), an
    /// optional `%zone`.
    static func ipv6(_ p: UnsafePointer<UInt8>, _ pos: Int, _ end: Int) -> Int {
        var i = pos
        var groups = 0
        var doubleColon = false
        if i + 1 < end, p[i] == UInt8(ascii: ":"), p[i + 1] == UInt8(ascii: ":") {
            doubleColon = true
            i += 2
        }
        while i < end {
            var h = 0
            while i + h < end, h < 4, isHex(p[i + h]) { h += 1 }
            if h == 0 { break }
            // An IPv4 tail ("::ffff:192.0.2.1") ends the address.
            if i + h < end, p[i + h] == UInt8(ascii: "."), groups <= 6 {
                let n = ipv4(p, i, end)
                guard n > 0 else { return 0 }
                i += n
                groups += 2
                break
            }
            if i + h < end, isHex(p[i + h]) { return 0 }
            i += h
            groups += 1
            if i + 1 < end, p[i] == UInt8(ascii: ":"), p[i + 1] == UInt8(ascii: ":") {
                if doubleColon { return 0 }
                doubleColon = true
                i += 2
            } else if i + 1 < end, p[i] == UInt8(ascii: ":"), isHex(p[i + 1]) {
                i += 1
            } else {
                break
            }
        }
        guard doubleColon ? groups <= 7 : groups == 8 else { return 0 }
        guard i - pos >= 2 else { return 0 }
        if i < end, p[i] == UInt8(ascii: "%") {
            var j = i + 1
            while j < end, isHostByte(p[j]), p[j] != UInt8(ascii: ":") { j += 1 }
            if j > i + 1 { i = j }
        }
        return i - pos
    }

    static func ip(_ p: UnsafePointer<UInt8>, _ pos: Int, _ end: Int) -> Int {
        // Digits then '.' can only be IPv4; anything else is tried as IPv6.
        var i = pos
        while i < end, i - pos < 4, isDigit(p[i]) { i += 1 }
        if i > pos, i < end, p[i] == UInt8(ascii: ".") { return ipv4(p, pos, end) }
        return ipv6(p, pos, end)
    }

    /// An address or a DNS name: the longest run of letters, digits and `.-_:%` (every textual
    /// address is made of these bytes).
    static func host(_ p: UnsafePointer<UInt8>, _ pos: Int, _ end: Int) -> Int {
        var i = pos
        while i < end, isHostByte(p[i]) { i += 1 }
        return i - pos
    }

    /// The value of an address field as reported: `::ffff:a.b.c.d` becomes `a.b.c.d` so that one
    /// client has one name whichever socket family sshd saw it on.
    static func normalizedAddress(_ p: UnsafePointer<UInt8>, _ start: Int, _ end: Int) -> Range<Int> {
        // "::ffff:" then a dotted quad; the hex letters in either case.
        guard end - start > 13, p[start] == UInt8(ascii: ":"), p[start + 1] == UInt8(ascii: ":"),
              p[start + 2] | 0x20 == UInt8(ascii: "f"), p[start + 3] | 0x20 == UInt8(ascii: "f"),
              p[start + 4] | 0x20 == UInt8(ascii: "f"), p[start + 5] | 0x20 == UInt8(ascii: "f"),
              p[start + 6] == UInt8(ascii: ":") else { return start..<end }
        let tail = start + 7
        return ipv4(p, tail, end) == end - tail ? tail..<end : start..<end
    }
}
