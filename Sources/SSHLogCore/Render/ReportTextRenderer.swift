/// The report as plain text for mail: no colour, at most 80 columns, sections most important
/// first. Every string from the logs goes through `Sanitizer.terminal` before it is laid out.
public enum ReportTextRenderer {
    static func s(_ x: String) -> String { Sanitizer.terminal(x) }

    public static func render(_ r: DailyReport) -> String {
        var o = ""
        let host = r.hosts.isEmpty ? "" : " on " + s(r.hosts.prefix(3).joined(separator: ", "))
        o += ReportFormat.wrap("SSH access report\(host) for \(ReportFormat.periodLabel(r.period))", width: 80)
        o += ReportFormat.wrap("Period: \(TimeFormat.local(r.period.start, zone: true)) to \(TimeFormat.local(r.period.end, zone: true))", width: 80)
        o += ReportFormat.wrap(s(r.inputs), width: 80, indent: "      ", first: "Read: ")
        o += "\n"

        o += heading("Needs attention", r.attention.count)
        if r.attention.isEmpty {
            o += "  Nothing needs attention.\n"
        }
        for a in r.attention {
            var head = "! " + a.kind.title
            if let u = a.user { head += ": " + s(u) }
            if let ip = a.address { head += " from " + s(ip) }
            if a.time > 0 { head += " at " + ReportFormat.when(a.time, r.period) }
            o += ReportFormat.wrap(head, width: 80, indent: "    ", first: "  ")
            o += ReportFormat.wrap(s(a.detail), width: 80, indent: "    ")
            if let l = a.location { o += ReportFormat.wrap("(" + s(l) + ")", width: 80, indent: "    ") }
        }
        o += "\n"

        o += heading("Access health", r.health.dropped.count + r.health.bannedKnown.count)
        if r.health.dropped.isEmpty && r.health.bannedKnown.isEmpty {
            o += "  No legitimate user was dropped or banned.\n"
        }
        if !r.health.dropped.isEmpty { o += "  Known users dropped:\n" }
        for group in ReportFormat.byCause(r.health.dropped) {
            let latest = group[0]
            let n = group.reduce(0) { $0 + $1.count }
            o += ReportFormat.wrap("* \(latest.title) [\(latest.cause.rawValue)]: \(ReportFormat.plural(n, "drop"))", width: 80, indent: "      ", first: "    ")
            for d in group.prefix(ReportFormat.listedPerCause) {
                o += ReportFormat.wrap("- \(s(d.user ?? "?")) from \(s(d.address)): \(d.count)x, last \(ReportFormat.when(d.last, r.period))", width: 80, indent: "        ", first: "      ")
            }
            if group.count > ReportFormat.listedPerCause {
                o += "      - and \(group.count - ReportFormat.listedPerCause) more (see --format json)\n"
            }
            o += ReportFormat.wrap("Latest: " + s(latest.summary), width: 80, indent: "      ")
            o += ReportFormat.wrap("Fix: " + s(latest.fix), width: 80, indent: "      ")
        }
        if !r.health.bannedKnown.isEmpty { o += "  Bans that hit addresses known users log in from:\n" }
        for b in r.health.bannedKnown {
            let head = "* \(s(b.address)) (\(s(b.users.joined(separator: ", ")))) banned by \(s(b.jail)) \(b.count)x, first at \(ReportFormat.when(b.first, r.period))"
            o += ReportFormat.wrap(head, width: 80, indent: "      ", first: "    ")
            o += ReportFormat.wrap("Fix: " + s(b.fix), width: 80, indent: "      ")
        }
        o += "\n"

        let n = r.noise
        o += heading("Noise (brute force and scans)", nil)
        o += row("Failed authentications", ReportFormat.compare(n.failedAuth, n.previousFailedAuth))
        o += row("Invalid user names", ReportFormat.compare(n.invalidUsers, n.previousInvalidUsers))
        o += row("Source addresses", ReportFormat.compare(n.sources, n.previousSources))
        o += row("Bans", ReportFormat.compare(n.bans, n.previousBans))
        o += row("Unbans", ReportFormat.compare(n.unbans, n.previousUnbans))
        o += ranked("Top sources", n.topSources)
        o += ranked("Top user names tried", n.topUsers)
        o += "\n"

        o += heading("Totals", nil)
        o += row("Connections", ReportFormat.compare(r.totals.connections, r.previousTotals.connections))
        o += row("Successful logins", ReportFormat.compare(r.totals.logins, r.previousTotals.logins))
        o += row("Drops", ReportFormat.compare(r.totals.drops, r.previousTotals.drops))
        for (c, k) in r.totals.dropsByCause {
            o += "    " + ReportFormat.pad(c.rawValue, 28, right: false) + ReportFormat.pad(String(k), 8) + "\n"
        }
        if !r.notes.isEmpty {
            o += "\nNotes:\n"
            for note in r.notes { o += ReportFormat.wrap(s(note), width: 80, indent: "    ", first: "  - ") }
        }
        return o
    }

    static func heading(_ title: String, _ count: Int?) -> String {
        let t = title.uppercased() + (count.map { " (\($0))" } ?? "")
        return t + "\n" + String(repeating: "=", count: min(78, t.count)) + "\n"
    }

    static func row(_ label: String, _ value: String) -> String {
        "  " + ReportFormat.pad(label, 26, right: false) + value + "\n"
    }

    static func ranked(_ title: String, _ list: [Noise.Ranked]) -> String {
        guard !list.isEmpty else { return "" }
        var o = "  \(title):" + String(repeating: " ", count: max(1, 40 - title.count)) + "   count previous\n"
        for x in list {
            var name = s(x.name)
            if name.count > 40 { name = String(name.prefix(39)) + "…" }
            o += "    " + ReportFormat.pad(name, 40, right: false)
                + ReportFormat.pad(String(x.count), 8) + ReportFormat.pad(String(x.previous), 9)
                + (x.isNew ? "  new" : "") + "\n"
        }
        return o
    }
}
