/// Tells a journal entry that claims to come from sshd (or fail2ban, sshguard, logind, the kernel)
/// but was written by something else, such as `logger -t sshd 'Failed password for root from …'`.
///
/// Any local user can choose an entry's `SYSLOG_IDENTIFIER`, `SYSLOG_PID` and `MESSAGE`. journald
/// adds the fields starting with `_` itself, from the sender's credentials and `/proc`; users
/// cannot set them. The rule compares the two:
///
/// | claimed `SYSLOG_IDENTIFIER` | spoofed when |
/// |---|---|
/// | `sshd`, `sshd-session`, `sshd-auth` | `_COMM` is present and not one of those three; or `_EXE` is present and its file name is not one of them; or `SYSLOG_PID` and `_PID` are both present and differ (`logger --id=N`) |
/// | `fail2ban` | `_COMM` is present and starts with neither `fail2ban` nor `python` |
/// | `sshguard` | `_COMM` is present and starts with neither `sshg` (`sshg-blocker`, `sshg-parser`) nor `sshguard` |
/// | `systemd-logind` | `_COMM` is present and is not `systemd-logind`, or `_UID` is present and not 0 |
/// | `kernel` | `_TRANSPORT` is not `kernel` (users can write `kernel: [UFW BLOCK] …` through syslog) |
/// | any of the above | `_TRANSPORT` is absent while the journal holds `_TRANSPORT` on other entries |
///
/// What the rule does not do, and why:
/// - A missing `_COMM` or `_EXE` alone is not spoofing: journald reads them from `/proc` and
///   misses them when the sender has already exited (sshd's post-auth child often has).
/// - `_UID` is not checked for sshd: the post-auth child runs as the logged-in user, so
///   `Disconnected from user …` legitimately carries that user's uid.
/// - A journal with no `_TRANSPORT` anywhere (hand-made exports, some imports) cannot be checked
///   against trusted fields; its entries are not flagged.
public enum SpoofCheck {
    /// Why an entry was flagged.
    public enum Reason: String, Sendable {
        case command = "process name does not match the identifier"
        case executable = "executable does not match the identifier"
        case pid = "SYSLOG_PID differs from the sender's _PID"
        case uid = "sender's _UID does not match the identifier"
        case transport = "kernel identifier not written by the kernel"
        case untrusted = "entry has no trusted fields while others have"
    }

    /// The family an identifier belongs to, for the rule above; nil for identifiers not checked.
    enum Family { case sshd, fail2ban, sshguard, logind, kernel }

    /// The trusted facts about one entry, borrowed from the reader's buffers.
    struct Facts {
        var program: UnsafeRawBufferPointer
        var comm: UnsafeRawBufferPointer?
        var exe: UnsafeRawBufferPointer?
        var transport: UnsafeRawBufferPointer?
        var syslogPid: Int32  // -1 when absent
        var pid: Int32        // _PID, -1 when absent
        var uid: Int64        // _UID, -1 when absent
    }

    @inline(__always)
    static func family(_ program: UnsafeRawBufferPointer) -> Family? {
        if equals(program, "sshd") || equals(program, "sshd-session") || equals(program, "sshd-auth") { return .sshd }
        if equals(program, "fail2ban") || hasPrefix(program, "fail2ban.") { return .fail2ban }
        if equals(program, "sshguard") { return .sshguard }
        if equals(program, "systemd-logind") { return .logind }
        if equals(program, "kernel") { return .kernel }
        return nil
    }

    /// Applies the rule.
    /// - Parameters:
    ///   - facts: the entry's claimed and trusted fields.
    ///   - journalHasTrustedFields: whether any entry of the journal carries `_TRANSPORT`.
    /// - Returns: the reason the entry is spoofed, or nil.
    static func verdict(_ facts: Facts, journalHasTrustedFields: Bool) -> Reason? {
        guard let family = family(facts.program) else { return nil }
        guard let transport = facts.transport else {
            return journalHasTrustedFields ? .untrusted : nil
        }
        switch family {
        case .sshd:
            if let comm = facts.comm,
               !(equals(comm, "sshd") || equals(comm, "sshd-session") || equals(comm, "sshd-auth")) {
                return .command
            }
            if let exe = facts.exe {
                let base = baseName(exe)
                if !(equals(base, "sshd") || equals(base, "sshd-session") || equals(base, "sshd-auth")) {
                    return .executable
                }
            }
            if facts.syslogPid >= 0, facts.pid >= 0, facts.syslogPid != facts.pid { return .pid }
        case .fail2ban:
            if let comm = facts.comm, !(hasPrefix(comm, "fail2ban") || hasPrefix(comm, "python")) { return .command }
        case .sshguard:
            if let comm = facts.comm, !(hasPrefix(comm, "sshg")) { return .command }
        case .logind:
            if let comm = facts.comm, !equals(comm, "systemd-logind") { return .command }
            if facts.uid > 0 { return .uid }
        case .kernel:
            if !equals(transport, "kernel") { return .transport }
        }
        return nil
    }

    // MARK: Byte helpers

    @inline(__always)
    static func equals(_ a: UnsafeRawBufferPointer, _ s: StaticString) -> Bool {
        guard a.count == s.utf8CodeUnitCount else { return false }
        return s.withUTF8Buffer { b in
            for i in 0..<b.count where a[i] != b[i] { return false }
            return true
        }
    }

    @inline(__always)
    static func hasPrefix(_ a: UnsafeRawBufferPointer, _ s: StaticString) -> Bool {
        guard a.count >= s.utf8CodeUnitCount else { return false }
        return s.withUTF8Buffer { b in
            for i in 0..<b.count where a[i] != b[i] { return false }
            return true
        }
    }

    /// The bytes after the last `/`.
    @inline(__always)
    static func baseName(_ path: UnsafeRawBufferPointer) -> UnsafeRawBufferPointer {
        var i = path.count
        while i > 0 && path[i - 1] != UInt8(ascii: "/") { i -= 1 }
        return UnsafeRawBufferPointer(rebasing: path[i...])
    }
}
