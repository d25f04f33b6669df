#if canImport(Glibc)
import Glibc
#endif

/// Parses the times users type after `--since` / `--until`, as journalctl users type them.
///
/// Accepted (local time unless a zone is given):
/// - relative: `1h`, `30m`, `2d`, `1w`, `45s`, `1h30m`, `-1h` (all in the past), `+1h` (future),
///   `1h ago`;
/// - words: `now`, `today`, `yesterday`, `tomorrow` (midnights);
/// - dates: `2026-11-22`, `2026-11-22 10:00`, `2026-11-22 10:00:05`, `2026-11-22T10:00:00Z`,
///   `2026-11-22T10:00:00+01:00`; times today: `10:00`, `10:00:05`; `@1763800000` (epoch seconds).
public enum TimeSpec {
    /// - Parameters:
    ///   - text: what the user typed.
    ///   - now: the reference for relative forms, µs since the epoch (the samples' last record when
    ///     sshlog falls back to its bundled samples).
    /// - Returns: µs since the epoch, UTC.
    /// - Throws: `SSHLogError(.badTime)` naming the forms that are accepted.
    public static func parse(_ text: String, now: Int64) throws -> Int64 {
        let s = text.trimmingWhitespace()
        let zone = LocalZone()
        let nowSec = now / 1_000_000
        switch s.lowercased() {
        case "now": return now
        case "today": return midnight(nowSec, dayOffset: 0, zone: zone)
        case "yesterday": return midnight(nowSec, dayOffset: -1, zone: zone)
        case "tomorrow": return midnight(nowSec, dayOffset: 1, zone: zone)
        default: break
        }
        if s.hasPrefix("@"), let v = Int64(s.dropFirst()) { return v * 1_000_000 }
        if let rel = relative(s) { return now + rel }
        let bytes = Array(s.utf8)
        // HH:MM[:SS] today.
        if bytes.count == 5 || bytes.count == 8, bytes[2] == UInt8(ascii: ":") {
            let parts = s.split(separator: ":").compactMap { Int($0) }
            if parts.count == bytes.count / 3 + 1 || parts.count == 2 || parts.count == 3,
               parts[0] < 24, parts[1] < 60, (parts.count < 3 || parts[2] < 61) {
                let day = midnight(nowSec, dayOffset: 0, zone: zone) / 1_000_000
                let local = localCivil(day, zone: zone)
                let naive = CivilTime.utcSeconds(local.y, local.m, local.d, parts[0], parts[1], parts.count > 2 ? parts[2] : 0)
                return zone.utc(fromNaive: naive) * 1_000_000
            }
        }
        // Dates: reuse the header parser's ISO reader on "<text> " (needs seconds and a separator).
        if bytes.count >= 10, bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-") {
            var t = s
            if bytes.count == 10 { t += " 00:00:00" } else if bytes.count == 16 { t += ":00" }
            else if bytes.count > 16, bytes[16] != UInt8(ascii: ":") {
                // 2026-11-22T10:00Z → insert seconds before the zone
                let idx = t.index(t.startIndex, offsetBy: 16)
                t.insert(contentsOf: ":00", at: idx)
            }
            t += " "
            let parser = HeaderParser(years: YearResolver(anchorUTC: nowSec), zone: zone)
            let parsed: Int64? = t.utf8.withContiguousStorageIfAvailable { buf -> Int64? in
                parser.parseISO(UnsafeRawBufferPointer(buf), from: 0).map { $0.0 }
            } ?? nil
            if let parsed { return parsed }
        }
        throw SSHLogError(.badTime, "", "cannot read the time '\(text)'",
                          hint: "use e.g. 1h, 30m, 2d, -1h, yesterday, today, now, 2026-11-22, '2026-11-22 10:00', 2026-11-22T10:00:00Z or 10:00")
    }

    /// `1h`, `-30m`, `+2d`, `1h30m`, `2 days ago` → µs (negative = past unless `+`).
    static func relative(_ s0: String) -> Int64? {
        var s = Substring(s0)
        var sign: Int64 = -1
        if s.hasPrefix("+") { sign = 1; s = s.dropFirst() } else if s.hasPrefix("-") { s = s.dropFirst() }
        if s.hasSuffix(" ago") { s = s.dropLast(4) }
        s = Substring(s.filter { $0 != " " })
        guard !s.isEmpty, s.first!.isNumber else { return nil }
        var total: Int64 = 0
        var num: Int64 = 0
        var haveNum = false
        var i = s.startIndex
        while i < s.endIndex {
            let c = s[i]
            if let d = c.wholeNumberValue, c.isASCII {
                num = num * 10 + Int64(d)
                haveNum = true
                i = s.index(after: i)
                continue
            }
            guard haveNum else { return nil }
            var j = i
            while j < s.endIndex, s[j].isLetter { j = s.index(after: j) }
            let unit = s[i..<j].lowercased()
            let mult: Int64
            switch unit {
            case "s", "sec", "secs", "second", "seconds": mult = 1
            case "m", "min", "mins", "minute", "minutes": mult = 60
            case "h", "hr", "hrs", "hour", "hours": mult = 3600
            case "d", "day", "days": mult = 86400
            case "w", "week", "weeks": mult = 7 * 86400
            default: return nil
            }
            total += num * mult
            num = 0
            haveNum = false
            i = j
        }
        if haveNum { return nil }
        return sign * total * 1_000_000
    }

    static func localCivil(_ utcSec: Int64, zone: LocalZone) -> (y: Int, m: Int, d: Int) {
        let local = utcSec + Int64(LocalZone.offset(atUTC: utcSec))
        let days = Int(local >= 0 ? local / 86400 : (local - 86399) / 86400)
        let c = CivilTime.civilFromDays(days)
        return (c.year, c.month, c.day)
    }

    static func midnight(_ nowSec: Int64, dayOffset: Int, zone: LocalZone) -> Int64 {
        let c = localCivil(nowSec, zone: zone)
        let days = CivilTime.daysFromCivil(c.y, c.m, c.d) + dayOffset
        return zone.utc(fromNaive: Int64(days) * 86400) * 1_000_000
    }
}

extension String {
    func trimmingWhitespace() -> String {
        var s = Substring(self)
        while let f = s.first, f.isWhitespace { s = s.dropFirst() }
        while let l = s.last, l.isWhitespace { s = s.dropLast() }
        return String(s)
    }
}

/// Formats µs timestamps for people and JSON (cold path).
public enum TimeFormat {
    /// `2026-11-22T10:02:11.123456Z`
    public static func rfc3339UTC(_ micros: Int64) -> String {
        let sec = micros >= 0 ? micros / 1_000_000 : (micros - 999_999) / 1_000_000
        let us = Int(micros - sec * 1_000_000)
        let days = Int(sec >= 0 ? sec / 86400 : (sec - 86399) / 86400)
        let (y, m, d) = CivilTime.civilFromDays(days)
        let sod = Int(sec - Int64(days) * 86400)
        guard y >= 0 && y <= 9999 else {
            return "\(pad(y, 4))-\(pad(m, 2))-\(pad(d, 2))T\(pad(sod / 3600, 2)):\(pad(sod / 60 % 60, 2)):\(pad(sod % 60, 2)).\(pad(us, 6))Z"
        }
        // Written byte by byte (the JSON renderer formats one per evidence line: interpolating
        // seven padded numbers cost some 3,500 instructions a time).
        return ascii(27) { p in
            writeDate(p, y, m, d); p[10] = 0x54; writeClock(p + 11, sod); p[19] = 0x2E; digits(p + 20, us, 6); p[26] = 0x5A
        }
    }

    /// `YYYY-MM-DD` (10 bytes, year 0–9999) at `p`.
    @inline(__always)
    static func writeDate(_ p: UnsafeMutablePointer<UInt8>, _ y: Int, _ m: Int, _ d: Int) {
        digits(p, y, 4); p[4] = 0x2D; digits(p + 5, m, 2); p[7] = 0x2D; digits(p + 8, d, 2)
    }

    /// `hh:mm:ss` (8 bytes) of a second of the day at `p`.
    @inline(__always)
    static func writeClock(_ p: UnsafeMutablePointer<UInt8>, _ secondOfDay: Int) {
        digits(p, secondOfDay / 3600, 2); p[2] = 0x3A; digits(p + 3, secondOfDay / 60 % 60, 2); p[5] = 0x3A
        digits(p + 6, secondOfDay % 60, 2)
    }

    /// A String of `count` ASCII bytes written by `fill`.
    @inline(__always)
    static func ascii(_ count: Int, _ fill: (UnsafeMutablePointer<UInt8>) -> Void) -> String {
        String(unsafeUninitializedCapacity: count) { b in
            fill(b.baseAddress!)
            return count
        }
    }

    /// `v` (0 ≤ v < 10^width) as `width` decimal digits, zero-padded, at `p`.
    @inline(__always)
    static func digits(_ p: UnsafeMutablePointer<UInt8>, _ v: Int, _ width: Int) {
        var v = v, i = width - 1
        while i >= 0 {
            p[i] = UInt8(truncatingIfNeeded: 0x30 + v % 10)
            v /= 10
            i -= 1
        }
    }

    /// `2026-11-22 10:02:11` in local time, with the zone's offset when `zone` is true.
    public static func local(_ micros: Int64, seconds: Bool = true, zone: Bool = false) -> String {
        let sec = micros >= 0 ? micros / 1_000_000 : (micros - 999_999) / 1_000_000
        let off = LocalZone.offset(atUTC: sec)
        let l = sec + Int64(off)
        let days = Int(l >= 0 ? l / 86400 : (l - 86399) / 86400)
        let (y, m, d) = CivilTime.civilFromDays(days)
        let sod = Int(l - Int64(days) * 86400)
        var s = "\(pad(y, 4))-\(pad(m, 2))-\(pad(d, 2)) \(pad(sod / 3600, 2)):\(pad(sod / 60 % 60, 2))"
        if seconds { s += ":\(pad(sod % 60, 2))" }
        if zone {
            let a = abs(off)
            s += " \(off < 0 ? "-" : "+")\(pad(a / 3600, 2))\(pad(a / 60 % 60, 2))"
        }
        return s
    }

    /// `2026-11-22T10:02:11.123456+01:00` in local time (the events text format).
    public static func rfc3339Local(_ micros: Int64) -> String {
        let sec = micros >= 0 ? micros / 1_000_000 : (micros - 999_999) / 1_000_000
        let us = Int(micros - sec * 1_000_000)
        let off = LocalZone.offset(atUTC: sec)
        let l = sec + Int64(off)
        let days = Int(l >= 0 ? l / 86400 : (l - 86399) / 86400)
        let (y, m, d) = CivilTime.civilFromDays(days)
        let sod = Int(l - Int64(days) * 86400)
        let a = abs(off)
        return "\(pad(y, 4))-\(pad(m, 2))-\(pad(d, 2))T\(pad(sod / 3600, 2)):\(pad(sod / 60 % 60, 2)):\(pad(sod % 60, 2)).\(pad(us, 6))\(off < 0 ? "-" : "+")\(pad(a / 3600, 2)):\(pad(a / 60 % 60, 2))"
    }

    /// A duration in words: `45s`, `12m`, `3h05m`, `2d4h`.
    public static func duration(_ micros: Int64) -> String {
        let s = max(0, micros / 1_000_000)
        if s < 120 { return "\(s)s" }
        if s < 3600 { return "\(s / 60)m" }
        if s < 86400 { return "\(s / 3600)h\(pad(Int(s / 60 % 60), 2))m" }
        return "\(s / 86400)d\(s / 3600 % 24)h"
    }

    static func pad(_ v: Int, _ w: Int) -> String {
        let s = String(v)
        return s.count >= w ? s : String(repeating: "0", count: w - s.count) + s
    }
}
