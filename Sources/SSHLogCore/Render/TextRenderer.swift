/// `--format text`: the terminal rendering of `explain` and `timeline`.
///
/// Every string that comes from a log (user names, addresses, client versions, messages, and the
/// sentences built from them) goes through `Sanitizer.terminal` before styling, so a crafted user
/// name cannot emit control sequences. Colour comes only from `Style` (TTY and NO_COLOR rules).
public struct TextRenderer {
    public var style: Style
    /// Show each evidence line's tag (timeline).
    var showKinds = false

    public init(style: Style) {
        self.style = style
    }

    @inline(__always) func s(_ x: String) -> String { Sanitizer.terminal(x) }

    public func render(_ r: ExplainReport) -> String {
        var o = ""
        o += style.bold("sshlog explain") + "  " + s(r.window) + "\n"
        o += style.dim("inputs: " + s(r.inputs)) + "\n"
        if let c = r.clientFilter { o += "client: " + s(c) + "\n" }
        if let u = r.userFilter { o += "user: " + s(u) + "\n" }
        o += "\n"
        let sm = r.summary
        o += style.bold("Summary") + ": \(sm.clients) client\(sm.clients == 1 ? "" : "s"), \(sm.connections) connection\(sm.connections == 1 ? "" : "s"), \(sm.drops) drop\(sm.drops == 1 ? "" : "s")"
        if sm.open > 0 { o += ", \(sm.open) still open" }
        if sm.bans > 0 { o += ", \(sm.bans) ban\(sm.bans == 1 ? "" : "s")" }
        o += "\n"
        if !sm.dropsByCause.isEmpty {
            o += "  drops by cause: " + sm.dropsByCause.map { "\($0.0.rawValue) \($0.1)" }.joined(separator: ", ") + "\n"
        }
        for n in r.notes { o += style.yellow("note: ") + s(n) + "\n" }
        for c in r.clients {
            o += "\n" + client(c)
        }
        if r.moreClients > 0 {
            o += "\n" + style.dim("\(r.moreClients) more client\(r.moreClients == 1 ? "" : "s") not shown (use --limit, --client or --user)") + "\n"
        }
        return o
    }

    func client(_ c: ClientStory) -> String {
        var o = ""
        let addr = c.address.map(s) ?? "(user " + s(c.users.first ?? "?") + ")"
        var head = style.bold(style.cyan(addr))
        var facts: [String] = []
        if c.connectionCount > 0 { facts.append("\(c.connectionCount) connection\(c.connectionCount == 1 ? "" : "s")") }
        if c.dropCount > 0 { facts.append("\(c.dropCount) drop\(c.dropCount == 1 ? "" : "s")") }
        if c.acceptedCount > 0 { facts.append("logged in \(c.acceptedCount)× as " + c.acceptedUsers.map(s).joined(separator: ", ")) }
        if c.failureCount > 0 { facts.append("\(c.failureCount) failed attempt\(c.failureCount == 1 ? "" : "s")") }
        if let f = c.first, let l = c.last { facts.append(TimeText.dateTime(f) + " → " + TimeText.time(l) + " UTC") }
        if !facts.isEmpty { head += "  " + style.dim(facts.joined(separator: " · ")) }
        o += "── " + head + "\n"
        if !c.causes.isEmpty { o += "   causes: " + c.causes.map(\.rawValue).joined(separator: ", ") + "\n" }
        if !c.users.isEmpty {
            o += "   users tried: " + c.users.prefix(10).map(s).joined(separator: ", ")
            let more = c.users.count - min(c.users.count, 10) + c.moreUsers
            if more > 0 { o += " and \(more) more" }
            o += "\n"
        }
        if let h = c.headline { o += cause(h, indent: "   ") }
        for b in c.bans { o += ban(b) }
        if c.firewallDrops > 0 {
            o += "   firewall: \(c.firewallDrops) blocked packet(s)\n"
            for e in c.firewallEvidence { o += evidence(e, indent: "     ") }
        }
        for e in c.penaltyEvidence { o += "   penalty: " + evidence(e, indent: "") }
        if !c.connections.isEmpty {
            o += "   " + style.bold("timeline") + (c.omittedConnections > 0 ? style.dim(" (\(c.omittedConnections) earlier or similar connection(s) counted, not shown)") : "") + "\n"
            for conn in c.connections { o += connection(conn, headline: c.headline) }
        }
        return o
    }

    func cause(_ h: CauseStory, indent: String) -> String {
        var o = indent + style.bold("cause: ") + style.red(h.id.rawValue) + " — " + s(h.title) + " [" + style.confidence(h.confidence) + "]\n"
        o += indent + "  " + s(h.summary) + "\n"
        if !h.alternatives.isEmpty { o += indent + "  " + style.dim("could also be: " + h.alternatives.map(\.rawValue).joined(separator: ", ")) + "\n" }
        o += indent + style.bold("fix: ") + s(h.fix) + "\n"
        if h.confidence != .high || !h.alternatives.isEmpty {
            o += indent + style.bold("to settle it: ") + s(h.settle) + "\n"
        }
        return o
    }

    func ban(_ b: BanStory) -> String {
        var o = "   ban: " + s(b.source) + " jail " + s(b.jail) + " from " + TimeText.dateTime(b.start)
        if let e = b.end { o += " to " + TimeText.dateTime(e) + " (" + TimeText.duration(e - b.start) + ")" } else if let secs = b.seconds { o += " for \(Int(secs)) s" } else { o += " (no unban logged)" }
        o += "\n"
        for e in b.evidence { o += evidence(e, indent: "     ") }
        return o
    }

    func connection(_ c: ConnectionStory, headline: CauseStory?) -> String {
        var o = "   " + TimeText.dateTime(c.start) + " → " + TimeText.time(c.end)
        if let p = c.port { o += "  port \(p)" }
        if let u = c.user { o += "  user " + s(u) + (c.userExists == false ? " (no such user)" : "") }
        o += "  stage " + c.stage.name
        if let v = c.clientVersion { o += "  client " + s(v) }
        if c.open {
            o += "  " + style.green("still open") + "\n"
        } else if let cs = c.cause {
            o += "  → " + (cs.id.isDrop ? style.red(cs.id.rawValue) : style.green(cs.id.rawValue)) + " [" + style.confidence(cs.confidence) + "], ended by " + c.endedBy.rawValue + "\n"
            if headline?.summary != cs.summary { o += "     " + s(cs.summary) + "\n" }
        } else {
            o += "\n"
        }
        if !c.methods.isEmpty {
            o += "     methods: " + c.methods.map { s($0.method) + " " + $0.result + ($0.count > 1 ? " ×\($0.count)" : "") }.joined(separator: ", ") + "\n"
        }
        for (i, e) in c.evidence.enumerated() {
            o += evidence(e, indent: "     ")
            if c.omittedEvidence > 0 && i == 7 { o += "     " + style.dim("… \(c.omittedEvidence) line(s) not shown") + "\n" }
        }
        return o
    }

    func evidence(_ e: EvidenceLine, indent: String) -> String {
        indent + style.dim(TimeText.time(e.time) + " " + s(e.location)) + "  "
            + (showKinds ? style.cyan(e.kind) + "  " : "") + s(e.text) + "\n"
    }

    public func render(_ t: TimelineReport) -> String {
        var r = self
        r.showKinds = true
        return r.renderTimeline(t)
    }

    func renderTimeline(_ t: TimelineReport) -> String {
        var o = style.bold("sshlog timeline") + "  " + s(t.window) + "\n"
        o += style.dim("inputs: " + s(t.inputs)) + "\n"
        if let c = t.clientFilter { o += "client: " + s(c) + "\n" }
        if let u = t.userFilter { o += "user: " + s(u) + "\n" }
        for n in t.notes { o += style.yellow("note: ") + s(n) + "\n" }
        if t.entries.isEmpty {
            if let h = t.clients.first?.headline { o += "\n" + cause(h, indent: "") } else { o += "\nNothing in this window.\n" }
            return o
        }
        o += "\n"
        for e in t.entries {
            switch e {
            case .connection(let address, let c):
                o += style.bold(style.cyan(address.map(s) ?? "(address not logged)")) + "  " + s(c.host) + " pid \(c.pid)" + (c.childPid.map { "/\($0)" } ?? "") + "\n"
                o += connection(c, headline: nil)
            case .ban(let address, let b):
                o += style.bold(style.cyan(s(address))) + "\n" + ban(b)
            case .firewall(let address, let ev):
                o += style.bold(style.cyan(s(address))) + "  firewall\n" + evidence(ev, indent: "     ")
            case .penalty(let address, let ev):
                o += style.bold(style.cyan(s(address))) + "  penalty\n" + evidence(ev, indent: "     ")
            case .host(let ev):
                o += style.bold("host") + "\n" + evidence(ev, indent: "     ")
            }
        }
        return o
    }
}
