/// `--format markdown`: for pasting into a post-mortem.
///
/// Log text is inert: inline text has Markdown and HTML metacharacters backslash-escaped
/// (`\ ` * _ { } [ ] < > ( ) # + - . ! |`) and control characters shown as escapes; evidence
/// lines go in fenced code blocks whose fence is longer than any backtick run inside.
public enum MarkdownRenderer {
    public static func render(_ r: ExplainReport) -> String {
        var o = "# sshlog explain\n\n"
        o += "- **Window:** " + inline(r.window) + "\n"
        o += "- **Inputs:** " + inline(r.inputs) + "\n"
        if let c = r.clientFilter { o += "- **Client:** " + inline(c) + "\n" }
        if let u = r.userFilter { o += "- **User:** " + inline(u) + "\n" }
        let sm = r.summary
        o += "\n## Summary\n\n"
        o += plural(sm.clients, "client") + ", " + plural(sm.connections, "connection") + ", " + plural(sm.drops, "drop")
        if sm.open > 0 { o += ", \(sm.open) still open" }
        if sm.bans > 0 { o += ", " + plural(sm.bans, "ban") }
        o += ".\n\n"
        if !sm.dropsByCause.isEmpty {
            o += "| cause | drops |\n|---|---:|\n"
            for (c, n) in sm.dropsByCause { o += "| " + c.rawValue + " | \(n) |\n" }
            o += "\n"
        }
        for n in r.notes { o += "> " + inline(n) + "\n\n" }
        for c in r.clients { o += client(c) }
        if r.moreClients > 0 { o += "_\(r.moreClients) more clients not shown._\n" }
        return o
    }

    static func plural(_ n: Int, _ word: String) -> String { "\(n) \(word)\(n == 1 ? "" : "s")" }

    static func client(_ c: ClientStory) -> String {
        var o = "## " + (c.address.map(inline) ?? "user " + inline(c.users.first ?? "?")) + "\n\n"
        if !c.causes.isEmpty { o += "- **Causes:** " + c.causes.map(\.rawValue).joined(separator: ", ") + "\n" }
        o += "- **Connections:** \(c.connectionCount) (\(c.dropCount) drops, \(c.failureCount) failed attempts, \(c.acceptedCount) logins)\n"
        if !c.users.isEmpty { o += "- **Users tried:** " + c.users.prefix(10).map(inline).joined(separator: ", ") + (c.users.count > 10 || c.moreUsers > 0 ? ", …" : "") + "\n" }
        if let f = c.first, let l = c.last { o += "- **Seen:** " + TimeText.dateTime(f) + " → " + TimeText.dateTime(l) + " UTC\n" }
        o += "\n"
        if let h = c.headline { o += cause(h) }
        for b in c.bans {
            o += "**Ban** (" + inline(b.source) + ", jail " + inline(b.jail) + "): " + TimeText.dateTime(b.start)
            if let e = b.end { o += " → " + TimeText.dateTime(e) } else { o += " (no unban logged)" }
            o += "\n\n" + fence(b.evidence.map(line))
        }
        if c.firewallDrops > 0 {
            o += "**Firewall:** \(c.firewallDrops) blocked packets\n\n" + fence(c.firewallEvidence.map(line))
        }
        if !c.connections.isEmpty {
            o += "### Timeline\n\n"
            if c.omittedConnections > 0 { o += "_\(c.omittedConnections) earlier or similar connections counted, not shown._\n\n" }
            for conn in c.connections { o += connection(conn) }
        }
        return o
    }

    static func cause(_ h: CauseStory) -> String {
        var o = "**Cause:** `" + h.id.rawValue + "` — " + inline(h.title) + " (confidence: " + h.confidence.rawValue + ")\n\n"
        o += inline(h.summary) + "\n\n"
        if !h.alternatives.isEmpty { o += "Could also be: " + h.alternatives.map { "`\($0.rawValue)`" }.joined(separator: ", ") + "\n\n" }
        o += "**Fix:** " + prose(h.fix) + "\n\n"
        if h.confidence != .high || !h.alternatives.isEmpty { o += "**To settle it:** " + prose(h.settle) + "\n\n" }
        return o
    }

    static func connection(_ c: ConnectionStory, kinds: Bool = false) -> String {
        var o = "- " + TimeText.dateTime(c.start) + " → " + TimeText.time(c.end)
        if let p = c.port { o += ", port \(p)" }
        if let u = c.user { o += ", user " + inline(u) + (c.userExists == false ? " (no such user)" : "") }
        o += ", stage " + c.stage.name
        if let v = c.clientVersion { o += ", client " + inline(v) }
        if c.open { o += ": still open" } else if let cs = c.cause {
            o += ": **" + cs.id.rawValue + "** (" + cs.confidence.rawValue + "), ended by " + c.endedBy.rawValue
        }
        o += "\n\n"
        if let cs = c.cause { o += "  " + inline(cs.summary) + "\n\n" }
        if !c.evidence.isEmpty {
            var lines = c.evidence.map(kinds ? kindLine : line)
            if c.omittedEvidence > 0 { lines.insert("… \(c.omittedEvidence) lines not shown", at: min(8, lines.count)) }
            o += fence(lines, indent: "  ")
        }
        return o
    }

    static func line(_ e: EvidenceLine) -> String {
        TimeText.dateTime(e.time) + "  " + e.location + "  " + e.text
    }

    static func kindLine(_ e: EvidenceLine) -> String {
        TimeText.dateTime(e.time) + "  " + e.location + "  [" + e.kind + "]  " + e.text
    }

    /// A fenced code block; the fence is one backtick longer than the longest run inside (and at
    /// least three). Control characters are escaped so the block stays one line per record.
    public static func fence(_ lines: [String], indent: String = "") -> String {
        let body = lines.map { Sanitizer.terminal($0) }
        var longest = 0
        for l in body {
            var run = 0
            for ch in l.utf8 {
                if ch == 96 { run += 1; longest = max(longest, run) } else { run = 0 }
            }
        }
        let f = String(repeating: "`", count: max(3, longest + 1))
        var o = indent + f + "text\n"
        for l in body { o += indent + l + "\n" }
        return o + indent + f + "\n\n"
    }

    /// sshlog's own advice text (fixed wording; substituted values are restricted to safe
    /// tokens by the explainer): code spans kept, HTML and table metacharacters escaped.
    public static func prose(_ s: String) -> String {
        var o = ""
        for ch in Sanitizer.terminal(s).unicodeScalars {
            switch ch {
            case "<": o += "&lt;"
            case ">": o += "&gt;"
            case "|": o += "\\|"
            default: o.unicodeScalars.append(ch)
            }
        }
        return o
    }

    /// Inline text with Markdown/HTML metacharacters escaped and controls made visible.
    public static func inline(_ s: String) -> String {
        let t = Sanitizer.terminal(s)
        var o = ""
        o.reserveCapacity(t.utf8.count + 8)
        for ch in t.unicodeScalars {
            switch ch {
            case "\\", "`", "*", "_", "{", "}", "[", "]", "<", ">", "(", ")", "#", "+", "!", "|", "~", "&":
                o += "\\"
                o.unicodeScalars.append(ch)
            default:
                o.unicodeScalars.append(ch)
            }
        }
        return o
    }

    public static func render(_ t: TimelineReport) -> String {
        var o = "# sshlog timeline\n\n"
        o += "- **Window:** " + inline(t.window) + "\n"
        o += "- **Inputs:** " + inline(t.inputs) + "\n"
        if let c = t.clientFilter { o += "- **Client:** " + inline(c) + "\n" }
        if let u = t.userFilter { o += "- **User:** " + inline(u) + "\n" }
        o += "\n"
        for n in t.notes { o += "> " + inline(n) + "\n\n" }
        if t.entries.isEmpty {
            if let h = t.clients.first?.headline { o += cause(h) } else { o += "Nothing in this window.\n" }
            return o
        }
        for e in t.entries {
            switch e {
            case .connection(let address, let c):
                o += "### " + TimeText.dateTime(c.start) + " " + (address.map(inline) ?? "address not logged") + "\n\n" + connection(c, kinds: true)
            case .ban(let address, let b):
                o += "### " + TimeText.dateTime(b.start) + " " + inline(address) + ": ban (" + inline(b.jail) + ")\n\n" + fence(b.evidence.map(kindLine))
            case .firewall(let address, let ev):
                o += "### " + TimeText.dateTime(ev.time) + " " + inline(address) + ": firewall\n\n" + fence([kindLine(ev)])
            case .penalty(let address, let ev):
                o += "### " + TimeText.dateTime(ev.time) + " " + inline(address) + ": penalty\n\n" + fence([kindLine(ev)])
            case .host(let ev):
                o += "### " + TimeText.dateTime(ev.time) + " host\n\n" + fence([kindLine(ev)])
            }
        }
        return o
    }
}
