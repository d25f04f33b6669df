/// What the server's own sshd_config says about a cause, appended to its fix: the advice then
/// quotes the values in force ("This server: MaxStartups 3:100:3 …") instead of sshd's defaults.
enum ServerFacts {
    /// A sentence for `cause`, or nil when the settings come from sshd's defaults or do not bear on it.
    static func sentence(for cause: CauseID, _ s: SSHDSettings) -> String? {
        guard s.source != SSHDSettings().source else { return nil }
        let from = "(\(s.source))"
        switch cause {
        case .maxstartups:
            return "This server \(from): \(s.maxStartupsMeaning)."
        case .idleTimeout:
            guard s.clientAliveInterval > 0 else {
                return "This server \(from) has ClientAliveInterval 0 (off): the drop came from UnusedConnectionTimeout or a client-side limit."
            }
            let total = s.clientAliveInterval * s.clientAliveCountMax
            return "This server \(from): ClientAliveInterval \(s.clientAliveInterval) × ClientAliveCountMax \(s.clientAliveCountMax) = \(total) s without an answer ends a session."
        case .loginGraceTimeout:
            return "This server \(from): LoginGraceTime \(s.loginGraceTime / 1_000_000) s."
        case .tooManyAuthFailures:
            return "This server \(from): MaxAuthTries \(s.maxAuthTries)."
        case .slowDNS:
            return s.useDNS ? "This server \(from) has UseDNS yes: set `UseDNS no` unless a rule needs host names." : nil
        case .unknown, .clientVanished, .networkReset:
            return s.logLevel == "INFO" || s.logLevel == "QUIET" || s.logLevel == "ERROR" || s.logLevel == "FATAL"
                ? "This server \(from) logs at LogLevel \(s.logLevel); VERBOSE would show the ending." : nil
        default:
            return nil
        }
    }
}
