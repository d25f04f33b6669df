/// Formats µs-since-epoch times for output, in UTC, without Foundation (called only when
/// rendering, never per input line).
public enum TimeText {
    /// `2026-11-22T09:02:11.000000Z`: RFC 3339 with microseconds, the JSON format.
    public static func rfc3339(_ us: Int64) -> String {
        TimeFormat.rfc3339UTC(us)
    }

    /// `2026-11-22 09:02:11` (UTC), for text and Markdown.
    public static func dateTime(_ us: Int64) -> String {
        let (d, t, _) = split(us)
        return d + " " + t
    }

    /// `09:02:11`.
    public static func time(_ us: Int64) -> String {
        split(us).1
    }

    /// `2m 05s`, `3h 12m`, `45s`: a duration for humans.
    public static func duration(_ us: Int64) -> String {
        let s = max(0, us / 1_000_000)
        if s < 60 { return "\(s)s" }
        if s < 3600 { return "\(s / 60)m \(pad(s % 60, 2))s" }
        if s < 86_400 { return "\(s / 3600)h \(pad((s % 3600) / 60, 2))m" }
        return "\(s / 86_400)d \(pad((s % 86_400) / 3600, 2))h"
    }

    static func split(_ us: Int64) -> (String, String, Int64) {
        var secs = us / 1_000_000
        var frac = us % 1_000_000
        if frac < 0 { frac += 1_000_000; secs -= 1 }
        var days = secs / 86_400
        var rem = secs % 86_400
        if rem < 0 { rem += 86_400; days -= 1 }
        let (y, m, d) = civil(days)
        guard y >= 0 && y <= 9999 else {
            let date = pad(y, 4) + "-" + pad(m, 2) + "-" + pad(d, 2)
            let time = pad(rem / 3600, 2) + ":" + pad((rem % 3600) / 60, 2) + ":" + pad(rem % 60, 2)
            return (date, time, frac)
        }
        // Byte by byte (one per evidence line of text and Markdown output).
        let date = TimeFormat.ascii(10) { TimeFormat.writeDate($0, Int(y), Int(m), Int(d)) }
        let time = TimeFormat.ascii(8) { TimeFormat.writeClock($0, Int(rem)) }
        return (date, time, frac)
    }

    /// Days since 1970-01-01 to (year, month, day): `CivilTime.civilFromDays`.
    static func civil(_ z: Int64) -> (Int64, Int64, Int64) {
        let (y, m, d) = CivilTime.civilFromDays(Int(z))
        return (Int64(y), Int64(m), Int64(d))
    }

    static func pad(_ v: Int64, _ width: Int) -> String {
        let s = String(v)
        return s.count >= width ? s : String(repeating: "0", count: width - s.count) + s
    }
}
