/// Finds, eight bytes at a time (SWAR: one 64-bit word holds eight bytes), where a run of bytes
/// that an escaper copies unchanged ends, so that the escapers in `OutputWriter` copy such runs
/// in bulk and look closely only at the bytes that need it. (The syslog header parser uses the
/// same scan to find where a host or program name ends.)
///
/// "Plain" for a terminal: printable ASCII, 0x20–0x7E. Plain inside a JSON string: the same,
/// without `"` (0x22) and `\` (0x5C). Everything else (C0 controls, DEL, every byte ≥ 0x80) ends a
/// run and goes through the escaper's byte-by-byte path, which also validates UTF-8.
///
/// The word tests are the classic "has a byte less than n" / "has a zero byte" bit tricks: a
/// per-byte subtraction (addition) can borrow (carry) into the byte above a flagged byte and flag
/// it too, never an unflagged byte below, so the lowest flag is exact; that is the one the scans
/// use.
///
/// - Complexity: O(n), one 64-bit load and a few ALU operations per eight bytes.
enum ByteScan {
    static let ones: UInt64 = 0x0101_0101_0101_0101
    static let highs: UInt64 = 0x8080_8080_8080_8080

    /// High bit set in each byte of `w` equal to `c` (the lowest flag is exact).
    @inline(__always)
    static func equal(_ w: UInt64, _ c: UInt8) -> UInt64 {
        let x = w ^ (ones &* UInt64(c))
        return (x &- ones) & ~x
    }

    /// High bit set in the bytes of `w` that are not printable ASCII (the lowest flag is exact).
    @inline(__always)
    static func terminalFlags(_ w: UInt64) -> UInt64 {
        // b - 0x20 wraps into the high half exactly when b < 0x20; b + 1 reaches it exactly when
        // b = 0x7F (among b < 0x80); b ≥ 0x80 has the bit already.
        ((w &- ones &* 0x20) | w | (w &+ ones)) & highs
    }

    /// As `terminalFlags`, plus `"` and `\`.
    @inline(__always)
    static func jsonFlags(_ w: UInt64) -> UInt64 {
        ((w &- ones &* 0x20) | w | (w &+ ones) | equal(w, 0x22) | equal(w, 0x5C)) & highs
    }

    /// High bit set in the bytes of `w` that end a syslog host or program name: space, `[`, `:`
    /// (the lowest flag is exact).
    @inline(__always)
    static func tokenStopFlags(_ w: UInt64) -> UInt64 {
        (equal(w, 0x20) | equal(w, 0x5B) | equal(w, 0x3A)) & highs
    }

    @inline(__always)
    static func isTokenByte(_ b: UInt8) -> Bool { b != 0x20 && b != 0x5B && b != 0x3A }

    @inline(__always)
    static func isTerminalPlain(_ b: UInt8) -> Bool { b >= 0x20 && b < 0x7F }

    @inline(__always)
    static func isJSONPlain(_ b: UInt8) -> Bool { b >= 0x20 && b < 0x7F && b != 0x22 && b != 0x5C }

    /// The number of leading bytes of `p[0..<n]` that are printable ASCII.
    @inline(__always)
    static func terminalPlainPrefix(_ p: UnsafeRawPointer, _ n: Int) -> Int {
        plainPrefix(p, n, terminalFlags, isTerminalPlain)
    }

    /// The number of leading bytes of `p[0..<n]` that go into a JSON string unchanged.
    @inline(__always)
    static func jsonPlainPrefix(_ p: UnsafeRawPointer, _ n: Int) -> Int {
        plainPrefix(p, n, jsonFlags, isJSONPlain)
    }

    @inline(__always)
    static func load64(_ p: UnsafeRawPointer, _ i: Int) -> UInt64 {
        UInt64(littleEndian: p.loadUnaligned(fromByteOffset: i, as: UInt64.self))
    }

    @inline(__always)
    static func load32(_ p: UnsafeRawPointer, _ i: Int) -> UInt64 {
        UInt64(UInt32(littleEndian: p.loadUnaligned(fromByteOffset: i, as: UInt32.self)))
    }

    /// The scan: whole words, then the last 1–7 bytes as one word that overlaps bytes already
    /// found plain (a plain byte raises no flag and no borrow or carry, so the lowest flag stays
    /// exact). Never reads outside `p[0..<n]`.
    @inline(__always)
    static func plainPrefix(_ p: UnsafeRawPointer, _ n: Int, _ flags: (UInt64) -> UInt64, _ plain: (UInt8) -> Bool) -> Int {
        var i = 0
        while i + 8 <= n {
            let f = flags(load64(p, i))
            if f != 0 { return i + f.trailingZeroBitCount >> 3 }
            i += 8
        }
        let r = n - i
        if r == 0 { return n }
        if n >= 8 {
            let f = flags(load64(p, n - 8))
            return f == 0 ? n : n - 8 + f.trailingZeroBitCount >> 3
        }
        if r >= 4 {
            // Bytes i..<i+4 in the low half, i+r-4..<i+r in the high half.
            let f = flags(load32(p, i) | load32(p, i + r - 4) << 32)
            if f == 0 { return n }
            let k = f.trailingZeroBitCount >> 3
            return k < 4 ? i + k : i + r - 8 + k
        }
        while i < n, plain(p.load(fromByteOffset: i, as: UInt8.self)) { i += 1 }
        return i
    }

    /// True when some byte of `p[0..<n]` is ≥ 0x80.
    @inline(__always)
    static func hasNonASCII(_ p: UnsafeRawPointer, _ n: Int) -> Bool {
        var i = 0
        while i + 8 <= n {
            if p.loadUnaligned(fromByteOffset: i, as: UInt64.self) & highs != 0 { return true }
            i += 8
        }
        while i < n {
            if p.load(fromByteOffset: i, as: UInt8.self) >= 0x80 { return true }
            i += 1
        }
        return false
    }
}
