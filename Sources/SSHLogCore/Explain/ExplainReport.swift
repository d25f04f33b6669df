/// The value every renderer consumes: what `explain` and `timeline` found, already ordered and
/// worded. Strings are raw (they may hold attacker-controlled text): each renderer escapes them
/// for its format (`Sanitizer.terminal`, JSON escaping, Markdown code spans/fences).
public struct ExplainReport {
    public var window: String
    public var since: Int64?
    public var until: Int64?
    public var inputs: String
    public var clientFilter: String?
    public var userFilter: String?
    public var summary: Summary
    /// Most relevant first.
    public var clients: [ClientStory]
    /// Clients left out by `--limit`.
    public var moreClients: Int
    /// Caveats for the whole run (what the logs cannot tell, ignored lines, empty window).
    public var notes: [String]
    /// Host-wide lines (listener restarts, MaxStartups throttling), for the timeline.
    public var hostEvents: [EvidenceLine]

    public struct Summary {
        public var clients: Int
        public var connections: Int
        public var drops: Int
        public var open: Int
        /// Drops by cause, most frequent first.
        public var dropsByCause: [(CauseID, Int)]
        public var bans: Int
        public var firewallDrops: Int
    }
}

public struct CauseStory {
    public var id: CauseID
    public var title: String
    public var confidence: Confidence
    public var summary: String
    public var alternatives: [CauseID]
    public var likely: CauseID?
    public var fix: String
    public var settle: String
}

public struct EvidenceLine {
    public var time: Int64
    /// `file:line` or the journal cursor.
    public var location: String
    /// `program[pid]: message`, as logged.
    public var text: String
    public var kind: String
}

public struct ConnectionStory {
    public var start: Int64
    public var end: Int64
    public var host: String
    public var pid: Int32
    public var childPid: Int32?
    public var port: Int?
    public var localAddress: String?
    public var localPort: Int?
    public var user: String?
    public var usersTried: [String]
    public var userExists: Bool?
    public var methods: [MethodResult]
    public var clientVersion: String?
    public var stage: Stage
    public var endedBy: EndedBy
    /// Still open when the data ended (then `cause` is nil).
    public var open: Bool
    public var cause: CauseStory?
    public var evidence: [EvidenceLine]
    public var omittedEvidence: Int
}

public struct BanStory {
    public var source: String
    public var jail: String
    public var start: Int64
    public var end: Int64?
    public var seconds: Double?
    public var alreadyBanned: Int
    public var evidence: [EvidenceLine]
}

public struct ClientStory {
    /// nil only for a `--user` search that found nothing.
    public var address: String?
    public var causes: [CauseID]
    /// The cause of the latest drop (or the ban), worded for this client.
    public var headline: CauseStory?
    public var legitimate: Bool
    public var users: [String]
    public var moreUsers: Int
    public var acceptedUsers: [String]
    public var first: Int64?
    public var last: Int64?
    public var connectionCount: Int
    public var dropCount: Int
    public var failureCount: Int
    public var acceptedCount: Int
    public var causeCounts: [(CauseID, Int)]
    public var bans: [BanStory]
    public var firewallDrops: Int
    public var firewallEvidence: [EvidenceLine]
    public var penaltyEvidence: [EvidenceLine]
    public var connections: [ConnectionStory]
    /// Connections counted but not kept in detail.
    public var omittedConnections: Int
}
