/// Gives traditional syslog stamps (`Nov 22 10:02:11`, no year) their year.
///
/// Rule: a line's year is the latest year in which its month/day/time is not after the *anchor*,
/// allowing two days of slack, where the anchor is a time known to be at or after the line: the
/// file's modification time (a log is appended to, so no line is newer than its mtime), tightened
/// within a rotation set to the start of the next newer file. Lines are assumed to lie within a
/// year before the anchor. This handles a December → January rollover inside one file (lines of
/// December fall in the year before a January anchor) and across a rotation set (each file has
/// its own anchor), and needs no state, so it also works after seeking into the middle of a file.
public struct YearResolver: Sendable {
    public let anchorYear: Int
    let anchorKey: Int

    /// - Parameter anchorUTC: seconds since the epoch (UTC); converted to local civil time.
    public init(anchorUTC: Int64) {
        let local = anchorUTC + Int64(LocalZone.offset(atUTC: anchorUTC))
        let days = Int(local >= 0 ? local / 86400 : (local - 86399) / 86400)
        let (y, m, d) = CivilTime.civilFromDays(days)
        anchorYear = y
        anchorKey = YearResolver.key(month: m, day: d, secondOfDay: Int(local - Int64(days) * 86400))
    }

    @inline(__always)
    static func key(month: Int, day: Int, secondOfDay: Int) -> Int {
        (month * 31 + day) * 86400 + secondOfDay
    }

    @inline(__always)
    public func year(month: Int, day: Int, secondOfDay: Int) -> Int {
        YearResolver.key(month: month, day: day, secondOfDay: secondOfDay) <= anchorKey + 2 * 86400
            ? anchorYear : anchorYear - 1
    }
}
