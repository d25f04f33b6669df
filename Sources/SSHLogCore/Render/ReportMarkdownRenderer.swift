/// The report as Markdown (CommonMark + GFM tables). Log text goes through
/// `MarkdownRenderer.inline` (metacharacters and `|` escaped, controls visible), so a user name
/// cannot open a link, an HTML tag or a new table cell; sshlog's own advice through `prose`.
public enum ReportMarkdownRenderer {
    static func i(_ x: String) -> String { MarkdownRenderer.inline(x) }

    public static func render(_ r: DailyReport) -> String {
        var o = "# SSH access report: \(ReportFormat.periodLabel(r.period))\n\n"
        o += "- Period: \(TimeFormat.local(r.period.start, zone: true)) to \(TimeFormat.local(r.period.end, zone: true))\n"
        if !r.hosts.isEmpty { o += "- Hosts: \(r.hosts.map(i).joined(separator: ", "))\n" }
        o += "- Read: \(i(r.inputs))\n\n"

        o += "## Needs attention (\(r.attention.count))\n\n"
        if r.attention.isEmpty { o += "Nothing needs attention.\n\n" }
        for a in r.attention {
            var head = "**\(a.kind.title)**"
            if let u = a.user { head += ": \(i(u))" }
            if let ip = a.address { head += " from \(i(ip))" }
            if a.time > 0 { head += " at \(ReportFormat.when(a.time, r.period))" }
            o += "- \(head)  \n  \(i(a.detail))"
            if let l = a.location { o += " (\(i(l)))" }
            o += "\n"
        }
        if !r.attention.isEmpty { o += "\n" }

        o += "## Access health\n\n"
        if r.health.dropped.isEmpty && r.health.bannedKnown.isEmpty { o += "No legitimate user was dropped or banned.\n\n" }
        if !r.health.dropped.isEmpty {
            o += "### Known users dropped\n\n"
            for group in ReportFormat.byCause(r.health.dropped) {
                let latest = group[0]
                let n = group.reduce(0) { $0 + $1.count }
                o += "- **\(MarkdownRenderer.prose(latest.title))** (`\(latest.cause.rawValue)`): \(ReportFormat.plural(n, "drop"))\n"
                for d in group.prefix(ReportFormat.listedPerCause) {
                    o += "  - \(i(d.user ?? "?")) from \(i(d.address)): \(d.count)×, last \(ReportFormat.when(d.last, r.period))\n"
                }
                if group.count > ReportFormat.listedPerCause {
                    o += "  - and \(group.count - ReportFormat.listedPerCause) more (see the JSON report)\n"
                }
                o += "\n  *Latest:* \(i(latest.summary))  \n  *Fix:* \(MarkdownRenderer.prose(latest.fix))\n"
            }
            o += "\n"
        }
        if !r.health.bannedKnown.isEmpty {
            o += "### Bans that hit addresses known users log in from\n\n"
            for b in r.health.bannedKnown {
                o += "- \(i(b.address)) (\(b.users.map(i).joined(separator: ", "))): banned by \(i(b.jail)) \(b.count)×, "
                o += "first at \(ReportFormat.when(b.first, r.period))  \n  *Fix:* \(MarkdownRenderer.prose(b.fix))\n"
            }
            o += "\n"
        }

        let n = r.noise
        o += "## Noise\n\n| | this period | previous |\n|---|---:|---:|\n"
        o += "| Failed authentications | \(n.failedAuth) | \(n.previousFailedAuth) |\n"
        o += "| Invalid user names | \(n.invalidUsers) | \(n.previousInvalidUsers) |\n"
        o += "| Source addresses | \(n.sources) | \(n.previousSources) |\n"
        o += "| Bans | \(n.bans) | \(n.previousBans) |\n"
        o += "| Unbans | \(n.unbans) | \(n.previousUnbans) |\n\n"
        o += ranked("Top sources", "Address", n.topSources)
        o += ranked("Top user names tried", "User name", n.topUsers)

        o += "## Totals\n\n| | this period | previous |\n|---|---:|---:|\n"
        o += "| Connections | \(r.totals.connections) | \(r.previousTotals.connections) |\n"
        o += "| Successful logins | \(r.totals.logins) | \(r.previousTotals.logins) |\n"
        o += "| Drops | \(r.totals.drops) | \(r.previousTotals.drops) |\n"
        for (c, k) in r.totals.dropsByCause {
            let prev = r.previousTotals.dropsByCause.first { $0.0 == c }?.1 ?? 0
            o += "| drops: `\(c.rawValue)` | \(k) | \(prev) |\n"
        }
        o += "\n"
        if !r.notes.isEmpty {
            o += "## Notes\n\n"
            for note in r.notes { o += "- \(i(note))\n" }
            o += "\n"
        }
        return o
    }

    static func ranked(_ title: String, _ column: String, _ list: [Noise.Ranked]) -> String {
        guard !list.isEmpty else { return "" }
        var o = "### \(title)\n\n| \(column) | count | previous | |\n|---|---:|---:|---|\n"
        for x in list { o += "| \(i(x.name)) | \(x.count) | \(x.previous) | \(x.isNew ? "new" : "") |\n" }
        return o + "\n"
    }
}
