/// Which journal entries sshlog reads: a disjunction of `FIELD=value` terms, handed to sd-journal so
/// that only these entries are ever read (no filtering in Swift).
///
/// The default selects by `SYSLOG_IDENTIFIER`, never by `_SYSTEMD_UNIT`: after login pam_systemd
/// moves sshd's per-connection process into `session-N.scope`, the unit is `ssh.service` on Debian
/// and Ubuntu but `sshd.service` elsewhere, and socket activation adds per-connection instances.
public struct JournalMatches: Sendable, Equatable {
    /// The terms, each `FIELD=value`; an entry is read when it matches any of them.
    public var terms: [String]

    public init(_ terms: [String]) { self.terms = terms }

    /// The sshd family (`sshd` up to 9.7 and the 9.8+ listener, `sshd-session` per connection from
    /// 9.8, `sshd-auth` for early 10.0+ errors).
    public static let sshdFamily = ["sshd", "sshd-session", "sshd-auth"]

    /// What sshlog reads by default: the sshd family, fail2ban with `logtarget = SYSTEMD-JOURNAL`,
    /// sshguard, systemd-logind (sessions), and kernel lines (`_TRANSPORT=kernel`; the pattern stage
    /// keeps the firewall ones).
    public static let sshlog = JournalMatches(
        sshdFamily.map { "SYSLOG_IDENTIFIER=\($0)" } + [
            "SYSLOG_IDENTIFIER=fail2ban",
            "SYSLOG_IDENTIFIER=sshguard",
            "SYSLOG_IDENTIFIER=systemd-logind",
            "SYSLOG_IDENTIFIER=kernel",
            "_TRANSPORT=kernel",
        ])

    /// Only sshd's own entries: used to decide whether the journal holds sshd entries for a window.
    public static let sshdOnly = JournalMatches(sshdFamily.map { "SYSLOG_IDENTIFIER=\($0)" })

    /// Installs the terms on an open journal, each as its own alternative.
    func apply(to journal: SDJournal) throws {
        for (i, term) in terms.enumerated() {
            if i > 0 { try journal.addDisjunction() }
            try journal.addMatch(term)
        }
    }
}
