/// The report as one self-contained HTML file: inline CSS, charts as inline SVG, no script, no
/// external asset. Every string from the logs is escaped (`&`, `<`, `>`, `"`, `'`; controls made
/// visible first), so a user name such as `<script>` stays text.
///
/// Chart elements carry their numbers: each bar of the per-hour chart is a `rect` with
/// `data-bucket`, `data-cause` (`completed` for connections that were not drops) and
/// `data-count`; each top-source bar has `data-source` and `data-count` — the same counts as the
/// JSON report's `buckets` and `noise.top_sources`.
public enum ReportHTMLRenderer {
    /// Escapes text for HTML element content and quoted attribute values.
    public static func h(_ x: String) -> String {
        let t = Sanitizer.terminal(x)
        var o = ""
        o.reserveCapacity(t.utf8.count + 16)
        for ch in t.unicodeScalars {
            switch ch {
            case "&": o += "&amp;"
            case "<": o += "&lt;"
            case ">": o += "&gt;"
            case "\"": o += "&quot;"
            case "'": o += "&#39;"
            default: o.unicodeScalars.append(ch)
            }
        }
        return o
    }

    /// A fixed colour per cause (by its place in the taxonomy); grey for completed connections.
    public static func colour(_ cause: CauseID?) -> String {
        guard let c = cause else { return "#b8c4ce" }
        let hue = (c.rank * 47 + 5) % 360
        return "hsl(\(hue), 62%, \(c.rank % 2 == 0 ? 46 : 58)%)"
    }

    static let css = """
    body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1d2733;margin:24px auto;max-width:1100px;padding:0 16px}
    h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;border-bottom:2px solid #dde3e8;padding-bottom:4px;margin-top:28px}
    h3{font-size:15px;margin:16px 0 6px}.meta{color:#5b6875;margin:2px 0}
    .item{border-left:4px solid #c62828;background:#fff4f2;padding:8px 12px;margin:8px 0}
    .item.shedding,.item.new-address{border-color:#ef8f00;background:#fff8ec}
    .ok{border-left:4px solid #2e7d32;background:#f1f8f1;padding:8px 12px}
    .drop{border-left:4px solid #1565c0;background:#f2f6fc;padding:8px 12px;margin:8px 0}
    .fix{color:#37474f}code,.mono{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:13px}
    table{border-collapse:collapse;margin:6px 0}td,th{padding:3px 10px;border-bottom:1px solid #e3e8ec;text-align:left}
    td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}.new{color:#c62828;font-weight:600}
    .legend span{display:inline-block;margin-right:14px;font-size:12px}.legend i{display:inline-block;width:10px;height:10px;margin-right:4px;vertical-align:middle}
    .cols{display:flex;gap:32px;flex-wrap:wrap}svg text{font:11px system-ui,sans-serif;fill:#4a5866}
    """

    public static func render(_ r: DailyReport) -> String {
        let label = ReportFormat.periodLabel(r.period)
        var o = "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        o += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
        o += "<title>SSH access report: \(h(label))</title>\n<style>\n\(css)\n</style>\n</head>\n<body>\n"
        o += "<h1>SSH access report: \(h(label))</h1>\n"
        o += "<p class=\"meta\">Period: \(h(TimeFormat.local(r.period.start, zone: true))) to \(h(TimeFormat.local(r.period.end, zone: true)))"
        if !r.hosts.isEmpty { o += " · Hosts: \(h(r.hosts.joined(separator: ", ")))" }
        o += "</p>\n<p class=\"meta\">Read: \(h(r.inputs))</p>\n"

        o += "<h2>Needs attention (\(r.attention.count))</h2>\n"
        if r.attention.isEmpty { o += "<p class=\"ok\">Nothing needs attention.</p>\n" }
        for a in r.attention {
            o += "<div class=\"item \(a.kind.rawValue)\"><strong>\(h(a.kind.title))</strong>"
            if let u = a.user { o += ": <span class=\"mono\">\(h(u))</span>" }
            if let ip = a.address { o += " from <span class=\"mono\">\(h(ip))</span>" }
            if a.time > 0 { o += " at \(h(ReportFormat.when(a.time, r.period)))" }
            o += "<br>\(h(a.detail))"
            if let l = a.location { o += " <span class=\"meta mono\">(\(h(l)))</span>" }
            o += "</div>\n"
        }

        o += "<h2>Access health</h2>\n"
        if r.health.dropped.isEmpty && r.health.bannedKnown.isEmpty {
            o += "<p class=\"ok\">No legitimate user was dropped or banned.</p>\n"
        }
        if !r.health.dropped.isEmpty { o += "<h3>Known users dropped</h3>\n" }
        for group in ReportFormat.byCause(r.health.dropped) {
            let latest = group[0]
            let n = group.reduce(0) { $0 + $1.count }
            o += "<div class=\"drop\"><strong>\(h(latest.title))</strong> (<code>\(h(latest.cause.rawValue))</code>): \(h(ReportFormat.plural(n, "drop")))<ul>"
            for d in group.prefix(ReportFormat.listedPerCause) {
                o += "<li><span class=\"mono\">\(h(d.user ?? "?"))</span> from <span class=\"mono\">\(h(d.address))</span>: \(d.count)×, last \(h(ReportFormat.when(d.last, r.period)))</li>"
            }
            if group.count > ReportFormat.listedPerCause {
                o += "<li>and \(group.count - ReportFormat.listedPerCause) more (see the JSON report)</li>"
            }
            o += "</ul><em>Latest:</em> \(h(latest.summary))<br><span class=\"fix\"><em>Fix:</em> \(h(latest.fix))</span></div>\n"
        }
        if !r.health.bannedKnown.isEmpty { o += "<h3>Bans that hit addresses known users log in from</h3>\n" }
        for b in r.health.bannedKnown {
            o += "<div class=\"drop\"><span class=\"mono\">\(h(b.address))</span> (\(h(b.users.joined(separator: ", ")))): "
            o += "banned by \(h(b.jail)) \(b.count)×, first at \(h(ReportFormat.when(b.first, r.period)))"
            o += "<br><span class=\"fix\"><em>Fix:</em> \(h(b.fix))</span></div>\n"
        }

        o += "<h2>Connections and drops per \(r.bucketLength >= 86_400_000_000 ? "day" : "hour")</h2>\n"
        o += hourlyChart(r)
        o += "<h2>Noise</h2>\n<div class=\"cols\"><div>\n"
        let n = r.noise
        o += "<table><tr><th></th><th class=\"n\">this period</th><th class=\"n\">previous</th></tr>\n"
        o += row("Failed authentications", n.failedAuth, n.previousFailedAuth)
        o += row("Invalid user names", n.invalidUsers, n.previousInvalidUsers)
        o += row("Source addresses", n.sources, n.previousSources)
        o += row("Bans", n.bans, n.previousBans)
        o += row("Unbans", n.unbans, n.previousUnbans)
        o += "</table>\n</div><div>\n<h3>Top sources (failed authentications)</h3>\n"
        o += sourcesChart(n.topSources)
        o += "</div><div>\n<h3>Top user names tried</h3>\n"
        o += ranked(n.topUsers)
        o += "</div></div>\n"

        o += "<h2>Totals</h2>\n<table><tr><th></th><th class=\"n\">this period</th><th class=\"n\">previous</th></tr>\n"
        o += row("Connections", r.totals.connections, r.previousTotals.connections)
        o += row("Successful logins", r.totals.logins, r.previousTotals.logins)
        o += row("Drops", r.totals.drops, r.previousTotals.drops)
        for (c, k) in r.totals.dropsByCause {
            let prev = r.previousTotals.dropsByCause.first { $0.0 == c }?.1 ?? 0
            o += "<tr><td>&nbsp;&nbsp;<i style=\"display:inline-block;width:10px;height:10px;background:\(colour(c))\"></i> <code>\(h(c.rawValue))</code></td>"
            o += "<td class=\"n\">\(k)</td><td class=\"n\">\(prev)</td></tr>\n"
        }
        o += "</table>\n"
        if !r.notes.isEmpty {
            o += "<h2>Notes</h2>\n<ul>\n"
            for note in r.notes { o += "<li>\(h(note))</li>\n" }
            o += "</ul>\n"
        }
        o += "</body>\n</html>\n"
        return o
    }

    static func row(_ label: String, _ now: Int, _ before: Int) -> String {
        "<tr><td>\(h(label))</td><td class=\"n\">\(now)</td><td class=\"n\">\(before)</td></tr>\n"
    }

    static func ranked(_ list: [Noise.Ranked]) -> String {
        if list.isEmpty { return "<p class=\"meta\">None.</p>\n" }
        var o = "<table><tr><th>User name</th><th class=\"n\">count</th><th class=\"n\">previous</th></tr>\n"
        for x in list {
            o += "<tr><td class=\"mono\">\(h(x.name))\(x.isNew ? " <span class=\"new\">new</span>" : "")</td>"
            o += "<td class=\"n\">\(x.count)</td><td class=\"n\">\(x.previous)</td></tr>\n"
        }
        return o + "</table>\n"
    }

    /// Stacked bars: per bucket, the completed connections at the bottom, then drops by cause.
    static func hourlyChart(_ r: DailyReport) -> String {
        let width = 1040.0, height = 260.0, left = 44.0, bottom = 24.0, top = 10.0
        let plotW = width - left - 8, plotH = height - bottom - top
        let maxTotal = max(1, r.buckets.map { $0.connections }.max() ?? 1)
        let scale = plotH / Double(niceCeil(maxTotal))
        let slot = plotW / Double(max(1, r.buckets.count))
        let barW = max(1, slot * 0.72)
        var o = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(width))\" height=\"\(Int(height))\" viewBox=\"0 0 \(Int(width)) \(Int(height))\" role=\"img\" aria-label=\"connections and drops per bucket\" class=\"chart-hourly\">\n"
        let axisMax = niceCeil(maxTotal)
        for k in 0...4 {
            let v = axisMax * k / 4
            let y = top + plotH - Double(v) * scale
            o += "<line x1=\"\(f(left))\" y1=\"\(f(y))\" x2=\"\(f(width - 8))\" y2=\"\(f(y))\" stroke=\"#e3e8ec\"/>"
            o += "<text x=\"\(f(left - 4))\" y=\"\(f(y + 4))\" text-anchor=\"end\">\(v)</text>\n"
        }
        var present: [CauseID] = []
        for (i, b) in r.buckets.enumerated() {
            let x = left + Double(i) * slot + (slot - barW) / 2
            var y = top + plotH
            var segments: [(String, CauseID?, Int)] = [("completed", nil, b.connections - b.dropTotal)]
            for (c, k) in b.drops {
                segments.append((c.rawValue, c, k))
                if !present.contains(c) { present.append(c) }
            }
            let label = ReportFormat.bucketLabel(b, r.bucketLength)
            for (name, cause, count) in segments where count > 0 {
                let hgt = Double(count) * scale
                y -= hgt
                o += "<rect x=\"\(f(x))\" y=\"\(f(y))\" width=\"\(f(barW))\" height=\"\(f(hgt))\" fill=\"\(colour(cause))\" "
                o += "data-bucket=\"\(i)\" data-label=\"\(h(label))\" data-cause=\"\(h(name))\" data-count=\"\(count)\">"
                o += "<title>\(h(label)) \(h(name)): \(count)</title></rect>\n"
            }
            if r.buckets.count <= 31 || i % 2 == 0 {
                o += "<text x=\"\(f(x + barW / 2))\" y=\"\(f(height - 8))\" text-anchor=\"middle\">\(h(label))</text>\n"
            }
        }
        o += "</svg>\n<p class=\"legend\"><span><i style=\"background:\(colour(nil))\"></i>completed (not a drop)</span>"
        for c in present.sorted() { o += "<span><i style=\"background:\(colour(c))\"></i>\(h(c.rawValue))</span>" }
        return o + "</p>\n"
    }

    /// Horizontal bars, one per top source.
    static func sourcesChart(_ list: [Noise.Ranked]) -> String {
        if list.isEmpty { return "<p class=\"meta\">None.</p>\n" }
        let rowH = 22.0, labelW = 200.0, barMax = 220.0
        let height = rowH * Double(list.count) + 6
        let maxCount = max(1, list.map { $0.count }.max() ?? 1)
        var o = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(labelW + barMax + 60))\" height=\"\(Int(height))\" role=\"img\" aria-label=\"top sources\" class=\"chart-sources\">\n"
        for (i, x) in list.enumerated() {
            let y = Double(i) * rowH + 4
            var name = x.name
            if name.count > 30 { name = String(name.prefix(29)) + "…" }
            let w = max(1, Double(x.count) / Double(maxCount) * barMax)
            o += "<text x=\"\(f(labelW - 6))\" y=\"\(f(y + 14))\" text-anchor=\"end\">\(h(name))\(x.isNew ? " (new)" : "")</text>"
            o += "<rect x=\"\(f(labelW))\" y=\"\(f(y + 3))\" width=\"\(f(w))\" height=\"\(f(rowH - 8))\" fill=\"#c0504d\" "
            o += "data-source=\"\(h(x.name))\" data-count=\"\(x.count)\"><title>\(h(x.name)): \(x.count)</title></rect>"
            o += "<text x=\"\(f(labelW + w + 4))\" y=\"\(f(y + 14))\">\(x.count)</text>\n"
        }
        return o + "</svg>\n"
    }

    /// The smallest of 1, 2, 5 × 10^k that is ≥ n (and divisible into four gridlines when ≥ 4).
    static func niceCeil(_ n: Int) -> Int {
        if n <= 4 { return 4 }
        var p = 1
        while true {
            for m in [1, 2, 5] where m * p * 4 >= n && (m * p * 4) % 4 == 0 { return m * p * 4 }
            p *= 10
        }
    }

    static func f(_ d: Double) -> String {
        let r = (d * 10).rounded() / 10
        return r == r.rounded() ? String(Int(r)) : String(r)
    }
}
