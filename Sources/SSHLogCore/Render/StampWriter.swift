/// RFC 3339 time stamps for `sshlog events`, written straight into the output: the date once per
/// day, the zone once per offset, the clock once per second and the six fraction digits per
/// record. Spells exactly what `TimeFormat.rfc3339Local` (text) and `TimeFormat.rfc3339UTC`
/// (JSON Lines) spell; years outside 0…9999 are taken from those functions.
final class StampWriter {
    /// Local time with the zone's offset (`+01:00`), or UTC with `Z`.
    let local: Bool
    /// The second `head` and `zone` hold, and the day and offset they were made for.
    var second: Int64 = .min
    var day: Int = .min
    var offset: Int = .min
    /// `YYYY-MM-DDTHH:MM:SS.` (20 bytes for years 0…9999).
    let head: UnsafeMutablePointer<UInt8>
    var headCount = 0
    /// `+01:00` or `Z`.
    let zone: UnsafeMutablePointer<UInt8>
    var zoneCount = 0
    static let room = 64

    init(local: Bool) {
        self.local = local
        head = .allocate(capacity: StampWriter.room)
        zone = .allocate(capacity: StampWriter.room)
    }

    deinit {
        head.deallocate()
        zone.deallocate()
    }

    @inline(__always)
    func write(_ t: Int64, to out: OutputWriter) {
        let sec = t >= 0 ? t / 1_000_000 : (t - 999_999) / 1_000_000
        if sec != second { format(sec) }
        out.append(head, headCount)
        out.writeSixDigits(UInt32(truncatingIfNeeded: t - sec * 1_000_000))
        out.append(zone, zoneCount)
        out.flushIfFull()
    }

    /// The minute `minuteOffset` was asked for, and the zone's offset through all of it (or
    /// `.min` when it changes within that minute: then each second asks).
    var offsetMinute: Int64 = .min
    var minuteOffset: Int = .min

    /// The local zone's offset at `sec`, asked of the C library once a minute rather than once a
    /// second (a `localtime_r` call costs about as much as printing a record).
    @inline(__always)
    func localOffset(_ sec: Int64) -> Int {
        let minute = sec >= 0 ? sec / 60 : (sec - 59) / 60
        if minute != offsetMinute {
            offsetMinute = minute
            let a = LocalZone.offset(atUTC: minute * 60), b = LocalZone.offset(atUTC: minute * 60 + 59)
            minuteOffset = a == b ? a : .min
        }
        return minuteOffset != .min ? minuteOffset : LocalZone.offset(atUTC: sec)
    }

    /// Makes `head` and `zone` for second `sec`.
    @inline(never)
    func format(_ sec: Int64) {
        second = sec
        let off = local ? localOffset(sec) : 0
        let l = sec + Int64(off)
        let days = Int(l >= 0 ? l / 86400 : (l - 86399) / 86400)
        if days != day {
            let (y, m, d) = CivilTime.civilFromDays(days)
            guard y >= 0 && y <= 9999 else { return formatByString(sec) }
            day = days
            put(y, 4, at: 0); head[4] = UInt8(ascii: "-")
            put(m, 2, at: 5); head[7] = UInt8(ascii: "-")
            put(d, 2, at: 8); head[10] = UInt8(ascii: "T")
            head[13] = UInt8(ascii: ":"); head[16] = UInt8(ascii: ":"); head[19] = UInt8(ascii: ".")
            headCount = 20
        }
        let sod = Int(l - Int64(days) * 86400)
        put(sod / 3600, 2, at: 11)
        put(sod / 60 % 60, 2, at: 14)
        put(sod % 60, 2, at: 17)
        if off != offset || zoneCount == 0 {
            offset = off
            if local {
                let a = abs(off)
                zone[0] = off < 0 ? UInt8(ascii: "-") : UInt8(ascii: "+")
                put(a / 3600 % 100, 2, at: 1, in: zone)
                zone[3] = UInt8(ascii: ":")
                put(a / 60 % 60, 2, at: 4, in: zone)
                zoneCount = 6
            } else {
                zone[0] = UInt8(ascii: "Z")
                zoneCount = 1
            }
        }
    }

    /// The stamp as the String formatters make it, cut where the fraction goes (as the printer
    /// always did): for years that do not take four digits.
    func formatByString(_ sec: Int64) {
        let full = Array((local ? TimeFormat.rfc3339Local(sec * 1_000_000) : TimeFormat.rfc3339UTC(sec * 1_000_000)).utf8)
        headCount = min(20, full.count)
        for i in 0..<headCount { head[i] = full[i] }
        zoneCount = local ? min(StampWriter.room, max(0, full.count - 26)) : 1
        if local { for i in 0..<zoneCount { zone[i] = full[26 + i] } } else { zone[0] = UInt8(ascii: "Z") }
        // Not cached by day or offset: the next second formats afresh.
        day = .min
        offset = .min
    }

    @inline(__always)
    func put(_ v: Int, _ width: Int, at i: Int, in buf: UnsafeMutablePointer<UInt8>? = nil) {
        let b = buf ?? head
        var v = v
        for k in stride(from: width - 1, through: 0, by: -1) {
            b[i + k] = UInt8(truncatingIfNeeded: 0x30 + v % 10)
            v /= 10
        }
    }
}
