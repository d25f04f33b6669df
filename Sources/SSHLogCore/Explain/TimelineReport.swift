/// The chronological account `sshlog timeline` prints: every connection (with all its lines),
/// ban, firewall drop and host-wide event of one client, one user or the whole window, in time
/// order.
public struct TimelineReport {
    public enum Entry {
        case connection(address: String?, ConnectionStory)
        case ban(address: String, BanStory)
        case firewall(address: String, EvidenceLine)
        case penalty(address: String, EvidenceLine)
        case host(EvidenceLine)

        public var time: Int64 {
            switch self {
            case .connection(_, let c): return c.start
            case .ban(_, let b): return b.start
            case .firewall(_, let e), .penalty(_, let e), .host(let e): return e.time
            }
        }
    }

    public var window: String
    public var inputs: String
    public var clientFilter: String?
    public var userFilter: String?
    public var entries: [Entry]
    public var notes: [String]
    /// The client stories the entries come from (for causes and summaries).
    public var clients: [ClientStory]

    /// Flattens an explain report (built with no limits) into time order. Host-wide lines are
    /// included for a whole-window timeline, and for a client or user only while one of its
    /// connections was open.
    public init(_ r: ExplainReport) {
        window = r.window
        inputs = r.inputs
        clientFilter = r.clientFilter
        userFilter = r.userFilter
        notes = r.notes
        clients = r.clients
        var out: [Entry] = []
        var spans: [(Int64, Int64)] = []
        for c in r.clients {
            for conn in c.connections {
                out.append(.connection(address: c.address, conn))
                spans.append((conn.start, conn.end))
            }
            for b in c.bans { out.append(.ban(address: c.address ?? "", b)) }
            if c.connections.isEmpty == false || c.bans.isEmpty == false || c.firewallDrops > 0 {
                for e in c.firewallEvidence { out.append(.firewall(address: c.address ?? "", e)) }
                for e in c.penaltyEvidence { out.append(.penalty(address: c.address ?? "", e)) }
            }
        }
        let filtered = r.clientFilter != nil || r.userFilter != nil
        for h in r.hostEvents {
            if !filtered || spans.contains(where: { h.time >= $0.0 && h.time <= $0.1 }) { out.append(.host(h)) }
        }
        // Stable sort by time.
        entries = out.enumerated().sorted { a, b in
            a.element.time != b.element.time ? a.element.time < b.element.time : a.offset < b.offset
        }.map { $0.element }
    }
}
