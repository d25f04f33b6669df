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
    ///
    /// sd-journal evaluates every alternative at every step (a hash lookup and an entry-array
    /// search per term and file), so terms whose value occurs in none of the opened files are
    /// left out: on a host without fail2ban, sshguard or firewall logging this halves the cost of
    /// a read. The values present are listed with `sd_journal_query_unique`, once per field.
    /// When no term occurs at all, the first one is installed anyway, so that nothing is read.
    func apply(to journal: SDJournal) throws {
        var present: [String: Set<String>] = [:]
        var used: [String] = []
        for term in terms {
            guard let eq = term.firstIndex(of: "=") else { continue }
            let field = String(term[..<eq])
            if present[field] == nil { present[field] = journal.uniqueValues(field) }
            if present[field]?.contains(String(term[term.index(after: eq)...])) == true { used.append(term) }
        }
        if used.isEmpty, let first = terms.first { used = [first] }
        for (i, term) in used.enumerated() {
            if i > 0 { try journal.addDisjunction() }
            try journal.addMatch(term)
        }
    }
}
