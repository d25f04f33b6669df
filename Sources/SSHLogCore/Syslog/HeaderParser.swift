/// Parses the header of one log line into a `SyslogRecord`: time, host, program, pid, message.
///
/// Formats, told apart by the first bytes:
/// - traditional BSD / RFC 3164: `Nov 22 10:02:11 host sshd[123]: msg` (also `Nov 02`, optional
///   `.frac`, no year: see `YearResolver`; local time);
/// - RFC 3339 (rsyslog's high-precision default, journalctl short-iso):
///   `2026-11-22T10:02:11.123456+01:00 host sshd[123]: msg` (zone `Z`, `±hh:mm`, `±hhmm` or none = local);
/// - fail2ban's own log: `2026-11-22 10:02:11,123 fail2ban.actions        [812]: NOTICE  [sshd] Ban 203.0.113.9`
///   (local time, no host);
/// - RFC 5424 (`<38>1 2026-11-22T10:02:11Z host sshd 123 - - msg`), and a `<pri>` before any of them.
///
/// For fail2ban's loggers (program `fail2ban.*`) the level word (`NOTICE`, `INFO`, …) is removed
/// from the front of the message, so fail2ban's file, syslog and journal outputs read alike.
///
/// - Complexity: O(length of the header); no allocation.
public struct HeaderParser {
    public var years: YearResolver
    public let zone: LocalZone
    let cache = MinuteCache()

    public init(years: YearResolver, zone: LocalZone = LocalZone()) {
        self.years = years
        self.zone = zone
    }

    /// The last stamp's minute, as its raw bytes and its UTC seconds: consecutive lines almost
    /// always share it, so most lines skip the calendar arithmetic.
    final class MinuteCache {
        var bsdKey: (UInt64, UInt32) = (0, 0)
        var bsdMinute: Int64 = .min
        var isoKey: (UInt64, UInt64) = (0, 0)
        var isoMinuteNaive: Int64 = .min
        /// The last line's `host program` bytes (up to 24, zero-padded), how many, and where the
        /// host ends and the program starts in them (0 and 0 when there is no host): lines from
        /// one host and program repeat them, and then the two token scans are skipped.
        var tagKey: (UInt64, UInt64, UInt64) = (0, 0, 0)
        var tagCount = 0
        var tagHostEnd = 0
        var tagProgramStart = 0
    }

    /// Parses `line`; nil when it has no header sshlog understands.
    @inline(__always)
    public func parse(_ line: UnsafeRawBufferPointer, lineNumber: Int) -> SyslogRecord? {
        let n = line.count
        if n < 16 { return nil }
        var p = 0
        var b0 = line[0]
        if b0 == UInt8(ascii: "<") {
            p = 1
            while p < n && p < 5 && isDigit(line[p]) { p += 1 }
            guard p < n, line[p] == UInt8(ascii: ">"), p > 1 else { return nil }
            p += 1
            if p + 2 < n && line[p] == UInt8(ascii: "1") && line[p + 1] == 0x20 {
                return parse5424(line, from: p + 2, lineNumber: lineNumber)
            }
            guard p < n else { return nil }
            b0 = line[p]
        }
        if isDigit(b0) {
            guard let (t, q, isFail2ban) = parseISO(line, from: p) else { return nil }
            if isFail2ban { return parseFail2ban(line, time: t, from: q, lineNumber: lineNumber) }
            return parseHostTag(line, time: t, from: q, lineNumber: lineNumber)
        }
        guard let (t, q) = parseBSD(line, from: p) else { return nil }
        return parseHostTag(line, time: t, from: q, lineNumber: lineNumber)
    }

    // MARK: timestamps

    @inline(__always) func isDigit(_ b: UInt8) -> Bool { b &- 0x30 < 10 }

    @inline(__always)
    func digits(_ l: UnsafeRawBufferPointer, _ at: Int, _ count: Int) -> Int? {
        guard at + count <= l.count else { return nil }
        var v = 0
        for i in at..<(at + count) {
            let d = l[i] &- 0x30
            if d >= 10 { return nil }
            v = v * 10 + Int(d)
        }
        return v
    }

    @inline(__always)
    static func month(_ a: UInt8, _ b: UInt8, _ c: UInt8) -> Int {
        let k = (UInt32(a | 0x20) << 16) | (UInt32(b | 0x20) << 8) | UInt32(c | 0x20)
        switch k {
        case 0x6a616e: return 1   // jan
        case 0x666562: return 2   // feb
        case 0x6d6172: return 3   // mar
        case 0x617072: return 4   // apr
        case 0x6d6179: return 5   // may
        case 0x6a756e: return 6   // jun
        case 0x6a756c: return 7   // jul
        case 0x617567: return 8   // aug
        case 0x736570: return 9   // sep
        case 0x6f6374: return 10  // oct
        case 0x6e6f76: return 11  // nov
        case 0x646563: return 12  // dec
        default: return 0
        }
    }

    /// `Mmm dd hh:mm:ss[.frac] ` → (µs UTC, index after the space).
    @inline(__always)
    func parseBSD(_ l: UnsafeRawBufferPointer, from p0: Int) -> (Int64, Int)? {
        var p = p0
        guard p + 15 <= l.count else { return nil }
        // Fast path: "Mmm dd hh:mm" identical to the previous line's; only ":ss" is new.
        if p + 16 <= l.count && l[p + 12] == UInt8(ascii: ":") {
            let k0 = l.loadUnaligned(fromByteOffset: p, as: UInt64.self)
            let k1 = l.loadUnaligned(fromByteOffset: p + 8, as: UInt32.self)
            if cache.bsdMinute != .min && k0 == cache.bsdKey.0 && k1 == cache.bsdKey.1,
               let ss = digits(l, p + 13, 2), ss < 61 {
                var q = p + 15
                var micros = 0
                if l[q] == UInt8(ascii: ".") { (micros, q) = fraction(l, q + 1) }
                if q < l.count && l[q] == 0x20 {
                    return ((cache.bsdMinute + Int64(ss)) * 1_000_000 + Int64(micros), q + 1)
                }
            }
        }
        let mon = HeaderParser.month(l[p], l[p + 1], l[p + 2])
        guard mon > 0, l[p + 3] == 0x20 else { return nil }
        p += 4
        if l[p] == 0x20 { p += 1 }
        var day = 0
        guard p < l.count, isDigit(l[p]) else { return nil }
        day = Int(l[p] - 0x30); p += 1
        if p < l.count && isDigit(l[p]) { day = day * 10 + Int(l[p] - 0x30); p += 1 }
        guard day >= 1 && day <= 31, p < l.count, l[p] == 0x20 else { return nil }
        p += 1
        guard let hh = digits(l, p, 2), p + 8 <= l.count, l[p + 2] == UInt8(ascii: ":"),
              let mm = digits(l, p + 3, 2), l[p + 5] == UInt8(ascii: ":"), let ss = digits(l, p + 6, 2),
              hh < 24, mm < 60, ss < 61 else { return nil }
        p += 8
        var micros = 0
        if p < l.count && l[p] == UInt8(ascii: ".") {
            p += 1
            (micros, p) = fraction(l, p)
        }
        guard p < l.count, l[p] == 0x20 else { return nil }
        let sod = hh * 3600 + mm * 60 + ss
        let y = years.year(month: mon, day: day, secondOfDay: sod)
        let naive = CivilTime.utcSeconds(y, mon, day, hh, mm, ss)
        let utc = zone.utc(fromNaive: naive)
        if l[p0 + 12] == UInt8(ascii: ":") && p0 + 16 <= l.count {
            cache.bsdKey = (l.loadUnaligned(fromByteOffset: p0, as: UInt64.self),
                            l.loadUnaligned(fromByteOffset: p0 + 8, as: UInt32.self))
            cache.bsdMinute = utc - Int64(ss)
        }
        return (utc * 1_000_000 + Int64(micros), p + 1)
    }

    /// Fraction digits after a `.` or `,` → microseconds (extra digits ignored).
    @inline(__always)
    func fraction(_ l: UnsafeRawBufferPointer, _ p0: Int) -> (Int, Int) {
        var p = p0
        var v = 0
        var k = 0
        while p < l.count && isDigit(l[p]) {
            if k < 6 { v = v * 10 + Int(l[p] - 0x30); k += 1 }
            p += 1
        }
        while k < 6 { v *= 10; k += 1 }
        return (v, p)
    }

    /// `YYYY-MM-DDTHH:MM:SS[.frac][zone] ` or fail2ban's `YYYY-MM-DD HH:MM:SS,mmm `.
    /// → (µs UTC, index after the space, is-fail2ban-format).
    @inline(__always)
    func parseISO(_ l: UnsafeRawBufferPointer, from p0: Int) -> (Int64, Int, Bool)? {
        var p = p0
        guard p + 19 <= l.count else { return nil }
        // Fast path: "YYYY-MM-DDTHH:MM" identical to the previous line's.
        let k0 = l.loadUnaligned(fromByteOffset: p, as: UInt64.self)
        let k1 = l.loadUnaligned(fromByteOffset: p + 8, as: UInt64.self)
        if cache.isoMinuteNaive != .min && k0 == cache.isoKey.0 && k1 == cache.isoKey.1
            && l[p + 16] == UInt8(ascii: ":"), let ss = digits(l, p + 17, 2), ss < 61 {
            return finishISO(l, p + 19, naive: cache.isoMinuteNaive + Int64(ss), fail2ban: l[p + 10] == 0x20)
        }
        guard let y = digits(l, p, 4), l[p + 4] == UInt8(ascii: "-"),
              let mo = digits(l, p + 5, 2), l[p + 7] == UInt8(ascii: "-"), let d = digits(l, p + 8, 2) else { return nil }
        let sep = l[p + 10]
        guard sep == UInt8(ascii: "T") || sep == 0x20,
              let hh = digits(l, p + 11, 2), l[p + 13] == UInt8(ascii: ":"), let mm = digits(l, p + 14, 2),
              l[p + 16] == UInt8(ascii: ":"), let ss = digits(l, p + 17, 2),
              mo >= 1, mo <= 12, d >= 1, d <= 31, hh < 24, mm < 60, ss < 61 else { return nil }
        p += 19
        let naive = CivilTime.utcSeconds(y, mo, d, hh, mm, ss)
        cache.isoKey = (k0, k1)
        cache.isoMinuteNaive = naive - Int64(ss)
        return finishISO(l, p, naive: naive, fail2ban: sep == 0x20)
    }

    /// The part of an ISO stamp after the seconds: fraction, zone, the space.
    @inline(__always)
    func finishISO(_ l: UnsafeRawBufferPointer, _ p0: Int, naive: Int64, fail2ban: Bool) -> (Int64, Int, Bool)? {
        var p = p0
        var micros = 0
        if p < l.count && (l[p] == UInt8(ascii: ".") || l[p] == UInt8(ascii: ",")) {
            (micros, p) = fraction(l, p + 1)
        }
        var utc: Int64
        if p < l.count && (l[p] == UInt8(ascii: "Z") || l[p] == UInt8(ascii: "z")) {
            utc = naive
            p += 1
        } else if p < l.count && (l[p] == UInt8(ascii: "+") || l[p] == UInt8(ascii: "-")) {
            let sign: Int64 = l[p] == UInt8(ascii: "+") ? 1 : -1
            guard let oh = digits(l, p + 1, 2) else { return nil }
            var q = p + 3
            if q < l.count && l[q] == UInt8(ascii: ":") { q += 1 }
            guard let om = digits(l, q, 2) else { return nil }
            utc = naive - sign * Int64(oh * 3600 + om * 60)
            p = q + 2
        } else {
            utc = zone.utc(fromNaive: naive)
        }
        guard p < l.count, l[p] == 0x20 else { return nil }
        return (utc * 1_000_000 + Int64(micros), p + 1, fail2ban)
    }

    // MARK: host and tag

    /// `host program[pid]: message` (host optional: a first token that is already a tag is taken as one).
    @inline(__always)
    func parseHostTag(_ l: UnsafeRawBufferPointer, time: Int64, from p0: Int, lineNumber: Int) -> SyslogRecord? {
        let n = l.count
        var p = p0
        while p < n && l[p] == 0x20 { p += 1 }
        let hostRange: Range<Int>, programRange: Range<Int>
        if let (h, t) = cachedHostTag(l, p) {
            // The same bytes as the last line's up to a '[' or ':' after them: the same split.
            hostRange = p..<h
            programRange = t..<(p + cache.tagCount)
        } else {
            // First token: space, '[' and ':' end it.
            let q = Self.tokenEnd(l, p)
            let sawTagChar = q < n && l[q] != 0x20
            var t = p
            if !sawTagChar {
                t = q
                while t < n && l[t] == 0x20 { t += 1 }
            }
            hostRange = p..<(sawTagChar ? p : q)
            // Tag: program until '[', ':' or ' '.
            let e = Self.tokenEnd(l, t)
            programRange = t..<e
            remember(l, p, hostRange, programRange)
        }
        let e = programRange.upperBound
        var (pid, m) = bracketedPid(l, e)
        if m < n && l[m] == UInt8(ascii: ":") {
            m += 1
            if m < n && l[m] == 0x20 { m += 1 }
        } else {
            // No tag (e.g. "-- MARK --"): the whole rest is the message.
            let t = programRange.lowerBound
            return SyslogRecord(time: time, line: l, hostRange: hostRange, programRange: t..<t,
                                messageRange: t..<n, pid: -1, lineNumber: lineNumber)
        }
        var msgStart = m
        if isFail2banProgram(l, programRange) { msgStart = skipLevelWord(l, msgStart) }
        return SyslogRecord(time: time, line: l, hostRange: hostRange, programRange: programRange,
                            messageRange: msgStart..<n, pid: pid, lineNumber: lineNumber)
    }

    /// The 24 bytes at `p` as three words, or nil when the line has fewer.
    @inline(__always)
    static func words24(_ l: UnsafeRawBufferPointer, _ p: Int) -> (UInt64, UInt64, UInt64)? {
        guard p + 24 <= l.count, let b = l.baseAddress else { return nil }
        return (b.loadUnaligned(fromByteOffset: p, as: UInt64.self), b.loadUnaligned(fromByteOffset: p + 8, as: UInt64.self),
                b.loadUnaligned(fromByteOffset: p + 16, as: UInt64.self))
    }

    /// The first `k` bytes (0...24) of three little-endian words; the rest zero.
    @inline(__always)
    static func keep(_ w: (UInt64, UInt64, UInt64), _ k: Int) -> (UInt64, UInt64, UInt64) {
        @inline(__always) func mask(_ bytes: Int) -> UInt64 { bytes >= 8 ? ~0 : bytes <= 0 ? 0 : (1 << UInt64(bytes * 8)) - 1 }
        return (w.0 & mask(k), w.1 & mask(k - 8), w.2 & mask(k - 16))
    }

    /// Where the host ends and the program starts, when the bytes at `p` are the last line's
    /// `host program` (as `remember` kept them) followed by '[' or ':' (so the scans would split
    /// them alike: each of their stops lies within those bytes or is that byte).
    @inline(__always)
    func cachedHostTag(_ l: UnsafeRawBufferPointer, _ p: Int) -> (Int, Int)? {
        let c = cache, k = c.tagCount
        guard k > 0, let w = Self.words24(l, p) else { return nil }
        let stop = l[p + k]
        guard stop == UInt8(ascii: "[") || stop == UInt8(ascii: ":") else { return nil }
        let v = Self.keep(w, k)
        guard v.0 == c.tagKey.0, v.1 == c.tagKey.1, v.2 == c.tagKey.2 else { return nil }
        return (p + c.tagHostEnd, p + c.tagProgramStart)
    }

    /// Keeps this line's `host program` bytes for `cachedHostTag`, when they fit in 23 bytes
    /// (the stop after them must be readable too) and the program is followed by '[' or ':'.
    @inline(__always)
    func remember(_ l: UnsafeRawBufferPointer, _ p: Int, _ host: Range<Int>, _ program: Range<Int>) {
        let k = program.upperBound - p
        guard k > 0, k < 24, let w = Self.words24(l, p) else { cache.tagCount = 0; return }
        let stop = l[program.upperBound]
        guard stop == UInt8(ascii: "[") || stop == UInt8(ascii: ":") else { cache.tagCount = 0; return }
        cache.tagKey = Self.keep(w, k)
        cache.tagCount = k
        cache.tagHostEnd = host.upperBound - p
        cache.tagProgramStart = program.lowerBound - p
    }

    /// The index of the first space, '[' or ':' at or after `from`, or the line's length; eight
    /// bytes at a time (a host or program name is usually one or two words).
    @inline(__always)
    static func tokenEnd(_ l: UnsafeRawBufferPointer, _ from: Int) -> Int {
        guard let base = l.baseAddress, from < l.count else { return l.count }
        return from + ByteScan.plainPrefix(base + from, l.count - from, ByteScan.tokenStopFlags, ByteScan.isTokenByte)
    }

    /// `[1234]` at `m` → (pid, index after `]`); (-1, m) when there is none.
    @inline(__always)
    func bracketedPid(_ l: UnsafeRawBufferPointer, _ m: Int) -> (Int32, Int) {
        let n = l.count
        guard m < n && l[m] == UInt8(ascii: "[") else { return (-1, m) }
        var v: Int32 = 0
        var k = m + 1
        let limit = min(n, m + 11)
        while k < limit {
            let d = l[k] &- 0x30
            if d >= 10 { break }
            v = v &* 10 &+ Int32(d)
            k += 1
        }
        guard k < n && l[k] == UInt8(ascii: "]") else { return (-1, m) }
        return (k > m + 1 ? v : -1, k + 1)
    }

    /// fail2ban's own format after the stamp: `fail2ban.actions        [812]: NOTICE  msg`.
    @inline(__always)
    func parseFail2ban(_ l: UnsafeRawBufferPointer, time: Int64, from p0: Int, lineNumber: Int) -> SyslogRecord? {
        let n = l.count
        var p = p0
        while p < n && l[p] == 0x20 { p += 1 }
        var e = p
        while e < n && l[e] != 0x20 && l[e] != UInt8(ascii: "[") && l[e] != UInt8(ascii: ":") { e += 1 }
        let programRange = p..<e
        var m = e
        while m < n && l[m] == 0x20 { m += 1 }
        let pid: Int32
        (pid, m) = bracketedPid(l, m)
        if m < n && l[m] == UInt8(ascii: ":") { m += 1 }
        while m < n && l[m] == 0x20 { m += 1 }
        m = skipLevelWord(l, m)
        return SyslogRecord(time: time, line: l, hostRange: p0..<p0, programRange: programRange,
                            messageRange: m..<n, pid: pid, lineNumber: lineNumber)
    }

    @inline(__always)
    func isFail2banProgram(_ l: UnsafeRawBufferPointer, _ r: Range<Int>) -> Bool {
        guard r.count >= 8 else { return false }
        let b = r.lowerBound
        return l[b] == UInt8(ascii: "f") && l[b + 1] == UInt8(ascii: "a") && l[b + 2] == UInt8(ascii: "i")
            && l[b + 3] == UInt8(ascii: "l") && l[b + 4] == UInt8(ascii: "2") && l[b + 5] == UInt8(ascii: "b")
            && l[b + 6] == UInt8(ascii: "a") && l[b + 7] == UInt8(ascii: "n")
    }

    /// Skips `INFO `, `NOTICE  `, `WARNING `, `ERROR `, `DEBUG `, `CRITICAL ` (with padding).
    @inline(__always)
    func skipLevelWord(_ l: UnsafeRawBufferPointer, _ p0: Int) -> Int {
        let n = l.count
        var e = p0
        while e < n && l[e] >= UInt8(ascii: "A") && l[e] <= UInt8(ascii: "Z") { e += 1 }
        let len = e - p0
        guard len >= 4, len <= 8, e < n, l[e] == 0x20 else { return p0 }
        let first = l[p0]
        let known = (len == 4 && first == UInt8(ascii: "I")) || (len == 6 && first == UInt8(ascii: "N"))
            || (len == 7 && first == UInt8(ascii: "W")) || (len == 5 && (first == UInt8(ascii: "E") || first == UInt8(ascii: "D")))
            || (len == 8 && first == UInt8(ascii: "C")) || (len == 5 && first == UInt8(ascii: "N"))
        guard known else { return p0 }
        while e < n && l[e] == 0x20 { e += 1 }
        return e
    }

    /// RFC 5424 after `<pri>1 `: `TIMESTAMP HOST APP PROCID MSGID SD MSG`.
    func parse5424(_ l: UnsafeRawBufferPointer, from p0: Int, lineNumber: Int) -> SyslogRecord? {
        let n = l.count
        guard let (t, p1, _) = parseISO(l, from: p0) else { return nil }
        func token(_ p: Int) -> Range<Int> {
            var e = p
            while e < n && l[e] != 0x20 { e += 1 }
            return p..<e
        }
        let host = token(p1)
        let app = token(min(n, host.upperBound + 1))
        let procid = token(min(n, app.upperBound + 1))
        let msgid = token(min(n, procid.upperBound + 1))
        var p = min(n, msgid.upperBound + 1)
        if p < n && l[p] == UInt8(ascii: "[") {
            // Structured data: skip bracketed elements, honouring \] escapes.
            while p < n && l[p] == UInt8(ascii: "[") {
                p += 1
                while p < n && l[p] != UInt8(ascii: "]") { if l[p] == UInt8(ascii: "\\") { p += 1 }; p += 1 }
                p += 1
            }
        } else {
            p += 1 // "-"
        }
        if p < n && l[p] == 0x20 { p += 1 }
        if p + 3 <= n && l[p] == 0xEF && l[p + 1] == 0xBB && l[p + 2] == 0xBF { p += 3 }
        var pid: Int32 = -1
        if let v = digits(l, procid.lowerBound, procid.count), procid.count > 0, procid.count < 10 { pid = Int32(v) }
        let hostR = (host.count == 1 && l[host.lowerBound] == UInt8(ascii: "-")) ? host.lowerBound..<host.lowerBound : host
        return SyslogRecord(time: t, line: l, hostRange: hostR, programRange: app, messageRange: min(p, n)..<n,
                            pid: pid, lineNumber: lineNumber)
    }
}
