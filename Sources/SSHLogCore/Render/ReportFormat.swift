/// Wording and layout shared by the report renderers (cold path: runs once per report).
public enum ReportFormat {
    /// "2026-11-21" for a one-day period starting at local midnight, else "start → end".
    public static func periodLabel(_ p: DailyReport.Period) -> String {
        let start = TimeFormat.local(p.start, seconds: false)
        let end = TimeFormat.local(p.end, seconds: false)
        if p.length >= 82_800_000_000 && p.length <= 90_000_000_000 && start.hasSuffix(" 00:00") {
            return String(start.prefix(10))
        }
        return start + " → " + end
    }

    /// "1 234 (previous 900, +37%)".
    public static func compare(_ now: Int, _ before: Int) -> String {
        if before == 0 { return now == 0 ? "0" : "\(now) (previous 0)" }
        let pct = Int(((Double(now) - Double(before)) / Double(before) * 100).rounded())
        return "\(now) (previous \(before), \(pct >= 0 ? "+" : "")\(pct)%)"
    }

    /// Local clock time of an instant; with the date when the period is longer than a day.
    public static func when(_ t: Int64, _ p: DailyReport.Period) -> String {
        p.length > 90_000_000_000 ? TimeFormat.local(t, seconds: false) : String(TimeFormat.local(t).suffix(8))
    }

    /// Label of a chart bucket: "14:00" for hours, "11-21" for days.
    public static func bucketLabel(_ b: Bucket, _ length: Int64) -> String {
        let s = TimeFormat.local(b.start, seconds: false)
        return length >= 86_400_000_000 ? String(s.dropFirst(5).prefix(5)) : String(s.suffix(5))
    }

    /// Access-health drops grouped by cause (taxonomy order): the first entry of each group is the
    /// latest drop, whose wording and fix the group shows once.
    public static func byCause(_ dropped: [DroppedAccess]) -> [[DroppedAccess]] {
        var groups: [[DroppedAccess]] = []
        for d in dropped {
            if let last = groups.last, last[0].cause == d.cause { groups[groups.count - 1].append(d) } else { groups.append([d]) }
        }
        return groups
    }

    /// Entries listed per cause group; the rest are counted.
    public static let listedPerCause = 12

    public static func plural(_ n: Int, _ word: String) -> String { "\(n) \(word)\(n == 1 ? "" : "s")" }

    /// Wraps already-escaped text to `width` columns (counting characters), each line prefixed
    /// by `indent` (`first` for the first line). Words longer than a line are cut.
    public static func wrap(_ text: String, width: Int = 78, indent: String = "", first: String? = nil) -> String {
        var lines: [String] = []
        var line = first ?? indent
        var lineLen = line.count
        var lineHasWord = false
        let room = { (prefix: Int) in max(10, width - prefix) }
        for word0 in text.split(separator: " ", omittingEmptySubsequences: true) {
            var word = Substring(word0)
            while !word.isEmpty {
                let sep = lineHasWord ? 1 : 0
                if lineLen + sep + word.count <= width {
                    line += (lineHasWord ? " " : "") + word
                    lineLen += sep + word.count
                    lineHasWord = true
                    word = ""
                } else if !lineHasWord {
                    let n = room(lineLen)
                    line += word.prefix(n)
                    word = word.dropFirst(n)
                    lines.append(line)
                    line = indent; lineLen = indent.count; lineHasWord = false
                } else {
                    lines.append(line)
                    line = indent; lineLen = indent.count; lineHasWord = false
                }
            }
        }
        if lineHasWord || lines.isEmpty { lines.append(line) }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Right-aligns `s` in `n` columns.
    public static func pad(_ s: String, _ n: Int, right: Bool = true) -> String {
        let c = s.count
        if c >= n { return s }
        let fill = String(repeating: " ", count: n - c)
        return right ? fill + s : s + fill
    }
}
