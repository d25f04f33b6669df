/// Whether a journal holds sshd entries for a time window: the question behind sshlog's default
/// choice of source ("use the journal when it holds sshd entries for the window, else the syslog
/// files") and the explanation `sshlog sources` prints.
///
/// The probe opens the journal with `JournalMatches.sshdOnly`, seeks to `since` and reads at most
/// one entry, so it costs one index lookup, not a scan.
public struct JournalProbe: Sendable {
    public var input: JournalSource.Input
    /// True when an sshd, sshd-session or sshd-auth entry lies inside the window.
    public var holdsSSHD: Bool
    /// The time of the first such entry (µs since the epoch), when there is one.
    public var firstSSHD: Int64?
    /// Why the journal cannot be used (no journal, permission, no intact files), or nil.
    public var problem: SSHLogError?
    /// Problems with single files met while opening (the journal is still usable).
    public var warnings: [SSHLogError]
    /// One sentence for `sshlog sources`: what was found and so what sshlog will do.
    public var reason: String

    /// Probes a journal.
    /// - Parameters:
    ///   - input: which journal (`.local` for the default choice).
    ///   - since, until: the window in µs since the epoch; nil for open ends.
    public static func check(_ input: JournalSource.Input, since: Int64?, until: Int64?) -> JournalProbe {
        let diag = Diagnostics(echo: false)
        let what = input == .local ? "the journal" : "journal \(describe(input))"
        do {
            let source = try JournalSource(input, since: since, until: until, matches: .sshdOnly, diagnostics: diag)
            if source.next() {
                let t = source.record.time
                return JournalProbe(input: input, holdsSSHD: true, firstSSHD: t, problem: nil, warnings: diag.messages,
                                    reason: "\(what) holds sshd entries for the window: reading it")
            }
            // Unreadable files (the system journal, for a user outside systemd-journal/adm) are the
            // likely reason then: say so.
            if let denied = diag.messages.first(where: { $0.code == .permissionDenied }) {
                return JournalProbe(input: input, holdsSSHD: false, firstSSHD: nil, problem: denied, warnings: diag.messages,
                                    reason: "\(what) holds no sshd entries that you may read: \(denied.message); \(denied.hint)")
            }
            return JournalProbe(input: input, holdsSSHD: false, firstSSHD: nil, problem: nil, warnings: diag.messages,
                                reason: "\(what) holds no sshd entries for the window (sshd may log to syslog files only, or the journal was rotated away)")
        } catch let e as SSHLogError {
            var reason = input == .local ? e.message : "\(what): \(e.message)"
            if e.code == .permissionDenied { reason += "; \(e.hint)" }
            return JournalProbe(input: input, holdsSSHD: false, firstSSHD: nil, problem: e, warnings: diag.messages,
                                reason: reason)
        } catch {
            let e = SSHLogError(.journal, describe(input), "\(error)")
            return JournalProbe(input: input, holdsSSHD: false, firstSSHD: nil, problem: e, warnings: diag.messages,
                                reason: "\(what) cannot be read: \(e.description)")
        }
    }

    static func describe(_ input: JournalSource.Input) -> String {
        switch input {
        case .local: return "journal"
        case .directory(let d): return d
        case .files(let f): return f.joined(separator: " ")
        }
    }
}
