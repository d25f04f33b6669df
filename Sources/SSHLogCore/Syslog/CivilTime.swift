#if canImport(Glibc)
import Glibc
#endif

/// Calendar arithmetic without Foundation, for the per-line path.
public enum CivilTime {
    /// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's `days_from_civil`).
    @inline(__always)
    public static func daysFromCivil(_ y0: Int, _ m: Int, _ d: Int) -> Int {
        let y = m <= 2 ? y0 - 1 : y0
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (m + 9) % 12
        let doy = (153 * mp + 2) / 5 + d - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146097 + doe - 719468
    }

    /// (year, month, day) of a day count since 1970-01-01 (`civil_from_days`).
    public static func civilFromDays(_ z0: Int) -> (year: Int, month: Int, day: Int) {
        let z = z0 + 719468
        let era = (z >= 0 ? z : z - 146096) / 146097
        let doe = z - era * 146097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365
        let y = yoe + era * 400
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (m <= 2 ? y + 1 : y, m, d)
    }

    /// Seconds since the epoch of a UTC civil time.
    @inline(__always)
    public static func utcSeconds(_ y: Int, _ mo: Int, _ d: Int, _ h: Int, _ mi: Int, _ s: Int) -> Int64 {
        Int64(daysFromCivil(y, mo, d)) * 86400 + Int64(h * 3600 + mi * 60 + s)
    }
}

/// Converts local civil times (syslog stamps without a zone) to UTC, honouring TZ.
///
/// The UTC offset is asked of libc's `mktime` once per local hour and cached, so the per-line
/// cost is a comparison. Around a DST change, the hour that repeats is taken as its first
/// occurrence (what `mktime` chooses with `tm_isdst = -1`).
public final class LocalZone {
    var cachedHour: Int64 = .min
    var cachedOffset: Int64 = 0

    public init() { tzset() }

    /// UTC seconds of a local civil time given as naive seconds (as if the local time were UTC).
    @inline(__always)
    public func utc(fromNaive naive: Int64) -> Int64 {
        let hour = naive >= 0 ? naive / 3600 : (naive - 3599) / 3600
        if hour != cachedHour {
            cachedHour = hour
            cachedOffset = LocalZone.offset(naiveHourStart: hour * 3600)
        }
        return naive - cachedOffset
    }

    /// The local zone's offset (seconds east of UTC) in force at a naive local time.
    static func offset(naiveHourStart naive: Int64) -> Int64 {
        let days = Int(naive >= 0 ? naive / 86400 : (naive - 86399) / 86400)
        let (y, m, d) = CivilTime.civilFromDays(days)
        let secs = Int(naive - Int64(days) * 86400)
        var t = tm()
        t.tm_year = Int32(y - 1900)
        t.tm_mon = Int32(m - 1)
        t.tm_mday = Int32(d)
        t.tm_hour = Int32(secs / 3600)
        t.tm_min = Int32(secs / 60 % 60)
        t.tm_sec = Int32(secs % 60)
        t.tm_isdst = -1
        let epoch = mktime(&t)
        if epoch == -1 { return 0 }
        return naive - Int64(epoch)
    }

    /// The offset (seconds east of UTC) at a UTC instant, for rendering local times.
    public static func offset(atUTC seconds: Int64) -> Int {
        var t = time_t(seconds)
        var out = tm()
        localtime_r(&t, &out)
        return out.tm_gmtoff
    }
}
