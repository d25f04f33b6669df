/// A fail2ban or sshguard ban of one address: from the `Ban`/`Blocking` line to the `Unban`/
/// release line (or, for sshguard, the announced block time; open-ended when neither is seen).
///
/// While a ban lasts, the kernel rejects the client's packets: its attempts never reach sshd, so
/// they leave no sshd lines at all.
public struct BanWindow: Sendable {
    public enum Source: String, Sendable { case fail2ban, sshguard }

    public var source: Source
    /// The fail2ban jail (`sshd`, `recidive`, ...) or `sshguard`.
    public var jail: String
    public var start: Int64
    /// End of the ban when an unban/release line was seen.
    public var end: Int64?
    /// The announced length in seconds (sshguard `for <n> secs`, fail2ban `Increase Ban`).
    public var seconds: Double?
    /// The ban line, the failures that led to it (`Found`/`Attack from` lines, most recent last,
    /// at most `maxLeadUp`) and the unban line.
    public var banEvent: TaggedEvent
    public var leadUp: [TaggedEvent] = []
    public var unbanEvent: TaggedEvent?
    /// `already banned` lines during the window: failures kept arriving, the ban was not effective.
    public var alreadyBanned = 0

    static let maxLeadUp = 6

    /// Whether `t` falls inside the window (open-ended windows run to the end of the data).
    public func covers(_ t: Int64) -> Bool {
        if t < start { return false }
        if let end { return t <= end }
        if let seconds { return t <= start + Int64(seconds * 1_000_000) }
        return true
    }
}

/// Firewall lines (kernel LOG target, ufw) for one client: counted, a few kept as evidence.
public struct FirewallDrops: Sendable {
    public var count = 0
    public var first: Int64 = 0
    public var last: Int64 = 0
    /// `[UFW LIMIT BLOCK]`: the rate limit, not a static block.
    public var rateLimited = false
    public var examples: [TaggedEvent] = []
    static let maxExamples = 4
}
