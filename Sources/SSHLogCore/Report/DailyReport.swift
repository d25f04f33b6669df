/// The value every report renderer consumes: what happened to SSH access in one period, most
/// important first. Built by `ReportBuilder` in one pass over the logs available.
///
/// Strings are raw (user names and addresses come from the network): each renderer escapes them
/// for its format. Times are µs since the epoch, UTC.
public struct DailyReport {
    public struct Period: Sendable, Equatable {
        public var start: Int64
        public var end: Int64
        public var length: Int64 { end - start }

        public init(start: Int64, end: Int64) {
            self.start = start
            self.end = end
        }
    }

    public var period: Period
    /// The period of the same length just before `period`, for comparisons.
    public var previous: Period
    /// The first and last record read (the history the first-seen rules could look at).
    public var historyStart: Int64?
    public var historyEnd: Int64?
    public var inputs: String
    public var hosts: [String]

    /// Needs attention: possible break-ins, root logins, unusual logins, shedding.
    public var attention: [AttentionItem]
    /// Legitimate users dropped, idle-timeout drops, bans that hit known addresses.
    public var health: AccessHealth
    /// Brute force and scanning, summarised, with the previous period for comparison.
    public var noise: Noise
    public var totals: Totals
    public var previousTotals: Totals
    /// Connections and drops per bucket (an hour, or a day for periods over a week), each
    /// connection in the bucket of its last line.
    public var buckets: [Bucket]
    public var bucketLength: Int64
    /// Caveats (short history, ignored spoofed entries, no activity).
    public var notes: [String]

    /// True when nothing needs a human: the cron wrapper need not mail.
    public var isClean: Bool { attention.isEmpty }
    /// True when the period held no SSH activity at all.
    public var isQuiet: Bool { totals.connections == 0 && totals.logins == 0 && totals.failedAuth == 0 && noise.bans == 0 }
}

/// One finding of the *Needs attention* section.
public struct AttentionItem: Sendable {
    public enum Kind: String, Sendable, CaseIterable {
        /// A login from an address that failed many times before it.
        case bruteForceSuccess = "brute-force-success"
        case rootLogin = "root-login"
        /// A password login for an account whose other logins use keys.
        case passwordForKeyUser = "password-for-key-user"
        /// A login from an address not seen for that user in the history available.
        case newAddress = "new-address"
        /// MaxStartups throttling or PerSourcePenalties dropped connections.
        case shedding = "shedding"

        public var title: String {
            switch self {
            case .bruteForceSuccess: return "Possible brute-force success"
            case .rootLogin: return "Root login"
            case .passwordForKeyUser: return "Password login for an account that uses keys"
            case .newAddress: return "Login from a new address"
            case .shedding: return "Connections shed (MaxStartups / penalties)"
            }
        }

        /// Most urgent first.
        public var rank: Int { AttentionItem.Kind.allCases.firstIndex(of: self)! }
    }

    public var kind: Kind
    public var time: Int64
    public var user: String?
    public var address: String?
    public var method: String?
    /// Failures before the login, connections dropped, etc., depending on `kind`.
    public var count: Int?
    /// One sentence saying what was seen and what to check.
    public var detail: String
    /// `file:line` of the deciding line, when known.
    public var location: String?
}

public struct AccessHealth: Sendable {
    /// Connections of known users that were dropped, grouped by user, address and cause.
    public var dropped: [DroppedAccess]
    /// Bans that hit addresses from which someone logged in (in the history available).
    public var bannedKnown: [KnownBan]
}

/// Drops of one legitimate user from one address for one cause, with `explain`'s wording.
public struct DroppedAccess: Sendable {
    public var user: String?
    public var address: String
    public var cause: CauseID
    public var title: String
    /// The latest such connection as `explain` describes it.
    public var summary: String
    public var fix: String
    public var count: Int
    public var first: Int64
    public var last: Int64
}

public struct KnownBan: Sendable {
    public var address: String
    /// Users that logged in from this address in the history available.
    public var users: [String]
    public var jail: String
    public var count: Int
    public var first: Int64
    public var fix: String
}

public struct Noise: Sendable {
    public var failedAuth: Int
    public var previousFailedAuth: Int
    public var invalidUsers: Int
    public var previousInvalidUsers: Int
    public var sources: Int
    public var previousSources: Int
    public var topSources: [Ranked]
    public var topUsers: [Ranked]
    public var bans: Int
    public var previousBans: Int
    public var unbans: Int
    public var previousUnbans: Int

    /// A source address or a tried user name with its count in both periods.
    public struct Ranked: Sendable {
        public var name: String
        public var count: Int
        public var previous: Int
        /// Not seen at all in the previous period.
        public var isNew: Bool { previous == 0 }
    }
}

public struct Totals: Sendable {
    public var connections = 0
    public var logins = 0
    public var failedAuth = 0
    public var drops = 0
    /// Drops by cause, most frequent first.
    public var dropsByCause: [(CauseID, Int)] = []
    public init() {}
}

public struct Bucket: Sendable {
    public var start: Int64
    public var connections: Int
    /// Drops by cause, in taxonomy order (only causes with a count).
    public var drops: [(CauseID, Int)]
    public var dropTotal: Int { drops.reduce(0) { $0 + $1.1 } }
}
