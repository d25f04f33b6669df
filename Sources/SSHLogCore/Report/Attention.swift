/// The *Needs attention* rules. Each turns one successful login (or one shedding episode) and
/// what the history knew before it into at most one item; documented in docs/report-schema.md.
enum AttentionRules {
    /// A login from an address with at least `threshold` failed authentications in the
    /// `lookback` before it (since its previous successful login).
    static func bruteForce(_ e: TaggedEvent, user: String, address: String, failures: FailureRun?,
                           threshold: Int, lookback: Int64) -> AttentionItem? {
        guard let f = failures, f.count >= threshold, e.time - f.last <= lookback else { return nil }
        var tried = ""
        if !f.users.isEmpty { tried = " (user names tried: \(f.users.joined(separator: ", ")))" }
        let detail = "\(f.count) failed authentication(s) from \(address) between \(TimeFormat.local(f.first)) and "
            + "\(TimeFormat.local(f.last))\(tried), then \(e.fields.method ?? "a") login as \(user) succeeded. "
            + "If this was not the account's owner, lock it (`passwd -l \(safe(user))`), end its sessions "
            + "(`loginctl terminate-user \(safe(user))`) and check what ran; then use keys only (`PasswordAuthentication no`)."
        return AttentionItem(kind: .bruteForceSuccess, time: e.time, user: user, address: address,
                             method: e.fields.method, count: f.count, detail: detail, location: e.location.description)
    }

    static func root(_ e: TaggedEvent, address: String) -> AttentionItem? {
        guard e.fields.user == "root" else { return nil }
        let m = e.fields.method ?? "unknown method"
        let detail = "root logged in from \(address) with \(m). Prefer personal accounts with sudo and "
            + "`PermitRootLogin no` (or `prohibit-password`, keys only)."
        return AttentionItem(kind: .rootLogin, time: e.time, user: "root", address: address, method: e.fields.method,
                             count: nil, detail: detail, location: e.location.description)
    }

    /// A password login for an account whose earlier logins (in the history) all used keys.
    static func passwordForKeyUser(_ e: TaggedEvent, user: String, address: String, prior: LoginHistory.Prior) -> AttentionItem? {
        guard let m = e.fields.method, !LoginHistory.isKey(m), let u = prior.user,
              u.keyLogins > 0, u.passwordBeforePeriod == 0 else { return nil }
        let detail = "\(user) logged in from \(address) with \(m); its \(u.keyLogins) earlier login(s) in the "
            + "history all used keys. Check with the account's owner; if passwords are not meant to work for it, "
            + "add `Match User \(safe(user))` + `PasswordAuthentication no`."
        return AttentionItem(kind: .passwordForKeyUser, time: e.time, user: user, address: address, method: m,
                             count: u.keyLogins, detail: detail, location: e.location.description)
    }

    /// A login from an address not seen for this user before (in the history available).
    static func newAddress(_ e: TaggedEvent, user: String, address: String, prior: LoginHistory.Prior,
                           historyStart: Int64) -> AttentionItem? {
        guard !prior.pairSeen else { return nil }
        let since = TimeFormat.local(historyStart)
        let detail: String
        if prior.user == nil {
            detail = "First login of \(user) in the history available (since \(since)), from \(address) "
                + "with \(e.fields.method ?? "an unknown method"). Expected if the account is new."
        } else {
            detail = "\(user) logged in from \(address), an address not seen for this account since \(since) "
                + "(with \(e.fields.method ?? "an unknown method")). Confirm with the account's owner if unexpected."
        }
        return AttentionItem(kind: .newAddress, time: e.time, user: user, address: address, method: e.fields.method,
                             count: nil, detail: detail, location: e.location.description)
    }

    static func shedding(maxstartups: Int, penalty: Int, throttles: [Correlator.ThrottleWindow], first: Int64?,
                         knownUsersHit: [String]) -> AttentionItem? {
        let dropped = maxstartups + penalty
        guard dropped > 0 || !throttles.isEmpty else { return nil }
        var parts: [String] = []
        if maxstartups > 0 { parts.append("\(maxstartups) connection(s) dropped past MaxStartups") }
        if penalty > 0 { parts.append("\(penalty) refused by PerSourcePenalties") }
        if !throttles.isEmpty {
            let logged = throttles.compactMap { $0.dropped }.reduce(0, +)
            parts.append("\(throttles.count) MaxStartups throttling episode(s)" + (logged > 0 ? " (sshd counted \(logged) dropped)" : ""))
        }
        var detail = parts.joined(separator: "; ") + "."
        if !knownUsersHit.isEmpty {
            detail += " Known users were among them: \(knownUsersHit.joined(separator: ", "))."
        }
        detail += " Either an attack filled the unauthenticated slots or the server is short of capacity: "
            + "stop the storm (fail2ban/sshguard, firewall rate limit), then raise `MaxStartups` (e.g. 30:30:200) "
            + "and lower `LoginGraceTime`."
        let t = min(first ?? .max, throttles.map { $0.start }.min() ?? .max)
        return AttentionItem(kind: .shedding, time: t == .max ? 0 : t, user: nil, address: nil, method: nil,
                             count: dropped, detail: detail, location: nil)
    }

    /// A user name inside a suggested command: only when it cannot change the command's meaning.
    static func safe(_ user: String) -> String {
        Explainer.isSafeToken(user) ? user : "<user>"
    }
}
