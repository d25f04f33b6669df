/// Builds an `ExplainReport` from the correlator's result: orders clients by relevance, words
/// each diagnosis for its connection, and says what the logs cannot tell.
public struct Explainer {
    public var window: String
    public var since: Int64?
    public var until: Int64?
    public var inputs: String
    public var client: String?
    public var user: String?
    /// Clients shown in full (the rest are counted in `moreClients`); nil for all.
    public var limit: Int?
    /// Connections per client shown (most recent; the first connection is always kept).
    public var connectionsPerClient: Int?
    /// The server's sshd_config values, quoted in the fixes they bear on.
    public var sshd = SSHDSettings()

    public init(window: String, since: Int64? = nil, until: Int64? = nil, inputs: String,
                client: String? = nil, user: String? = nil, limit: Int? = 20, connectionsPerClient: Int? = 12) {
        self.window = window
        self.since = since
        self.until = until
        self.inputs = inputs
        self.client = client
        self.user = user
        self.limit = limit
        self.connectionsPerClient = connectionsPerClient
    }

    public func report(_ result: CorrelationResult) -> ExplainReport {
        let ordered = result.clients.map { (Explainer.tier($0), $0) }
            .sorted { a, b in
                if a.0 != b.0 { return a.0 < b.0 }
                if a.1.last != b.1.last { return a.1.last > b.1.last }
                return a.1.address < b.1.address
            }.map { $0.1 }
        var counts = [Int](repeating: 0, count: CauseID.allCases.count)
        var connections = 0, drops = 0, bans = 0, fw = 0, open = 0
        for c in ordered {
            connections += c.connectionCount
            drops += c.dropCount
            bans += c.bans.count
            fw += c.firewall.count
            for cause in CauseID.allCases where cause.isDrop { counts[cause.rank] += c.count(of: cause) }
            counts[CauseID.firewall.rank] += c.firewall.count
            open += c.openAtEnd
        }
        drops += fw
        var byCause: [(CauseID, Int)] = []
        for cause in CauseID.allCases where counts[cause.rank] > 0 { byCause.append((cause, counts[cause.rank])) }
        byCause.sort { $0.1 != $1.1 ? $0.1 > $1.1 : $0.0.rank < $1.0.rank }

        let shown = limit.map { Array(ordered.prefix($0)) } ?? ordered
        var stories = shown.map { story($0) }
        var notes: [String] = []
        if ordered.isEmpty {
            if client != nil || user != nil {
                stories = [noTrace(result)]
            } else {
                notes.append("Nothing in this window: no sshd, PAM, fail2ban, sshguard or firewall lines about SSH connections.")
            }
        }
        if result.spoofedIgnored > 0 {
            notes.append("\(result.spoofedIgnored) journal entries claiming to be sshd were written by another program (e.g. `logger -t sshd`) and were ignored.")
        }
        if stories.contains(where: { $0.connections.contains { $0.cause?.confidence == .low } }) {
            notes.append("Some endings are inferred from absence (marked low confidence): sshd at LogLevel INFO does not log every ending. `LogLevel VERBOSE` in /etc/ssh/sshd_config (then `sshd -t && systemctl reload ssh`) would settle them next time.")
        }
        let summary = ExplainReport.Summary(clients: ordered.count, connections: connections, drops: drops, open: open,
                                            dropsByCause: byCause, bans: bans, firewallDrops: fw)
        return ExplainReport(window: window, since: since, until: until, inputs: inputs, clientFilter: client,
                             userFilter: user, summary: summary, clients: stories,
                             moreClients: ordered.count - shown.count, notes: notes,
                             hostEvents: result.hostEvents.map(Explainer.evidence))
    }

    // MARK: - Ordering

    /// Legitimate users' drops first (someone logged in from there), then operational drops
    /// (bans, limits, network), then brute-force noise; the latest activity first within a tier.
    ///
    /// Over the causes `ClientTimeline.causes` lists, without building and ordering that list:
    /// this runs once per client, thousands of times on a busy server's logs.
    static func tier(_ c: ClientTimeline) -> Int {
        var hasDrop = false, operational = false
        c.forEachCause { cause, _ in
            if cause.isDrop { hasDrop = true }
            if cause.isOperational { operational = true }
        }
        if c.isLegitimate && (hasDrop || !c.bans.isEmpty) { return 0 }
        if operational { return 1 }
        if hasDrop { return 2 }
        return 3
    }

    // MARK: - Stories

    func story(_ t: ClientTimeline) -> ClientStory {
        var conns = t.connections
        var omitted = max(0, t.connectionCount - conns.count)
        if let n = connectionsPerClient, conns.count > n {
            omitted += conns.count - n
            conns = Array(conns.suffix(n))
        }
        let connStories = conns.map { connectionStory($0, t) }
        let causes = t.causes
        var headline: CauseStory?
        if let lead = causes.first {
            if lead == .banned, t.count(of: .banned) == 0, let ban = t.bans.last {
                headline = banCause(t, ban)
            } else if let c = conns.last(where: { $0.diagnosis?.cause == lead }) ?? t.connections.last(where: { $0.diagnosis?.cause == lead }) {
                headline = causeStory(c, t)
            } else if lead == .firewall {
                headline = firewallCause(t)
            }
        }
        var causeCounts: [(CauseID, Int)] = []
        for c in CauseID.allCases where t.count(of: c) > 0 { causeCounts.append((c, t.count(of: c))) }
        return ClientStory(
            address: t.address, causes: causes, headline: headline, legitimate: t.isLegitimate,
            users: t.users, moreUsers: t.moreUsers, acceptedUsers: t.acceptedUsers,
            first: t.first == .max ? nil : t.first, last: t.last == .min ? nil : t.last,
            connectionCount: t.connectionCount, dropCount: t.dropCount + t.firewall.count,
            failureCount: t.failureCount, acceptedCount: t.acceptedCount, causeCounts: causeCounts,
            bans: t.bans.map(banStory), firewallDrops: t.firewall.count,
            firewallEvidence: t.firewall.examples.map(Explainer.evidence),
            penaltyEvidence: t.penaltyEvents.map(Explainer.evidence),
            connections: connStories, omittedConnections: omitted)
    }

    func connectionStory(_ c: Connection, _ t: ClientTimeline) -> ConnectionStory {
        ConnectionStory(
            start: c.start, end: c.end, host: c.host, pid: c.pid, childPid: c.childPid, port: c.port,
            localAddress: c.localAddress, localPort: c.localPort, user: c.user, usersTried: c.users,
            userExists: c.userExists, methods: c.methods, clientVersion: c.clientVersion, stage: c.stage,
            endedBy: c.diagnosis?.endedBy ?? c.endedBy, open: c.stillOpen,
            cause: c.diagnosis == nil ? nil : causeStory(c, t),
            evidence: c.events.map(Explainer.evidence), omittedEvidence: c.omittedEvents)
    }

    static func evidence(_ e: EvidenceRecord) -> EvidenceLine {
        let prog = e.program.isEmpty ? "" : (e.pid > 0 ? "\(e.program)[\(e.pid)]: " : "\(e.program): ")
        return EvidenceLine(time: e.time, location: e.location.description, text: prog + e.message, kind: e.kind.rawValue)
    }

    static func evidence(_ e: TaggedEvent) -> EvidenceLine {
        let prog = e.program.isEmpty ? "" : (e.pid > 0 ? "\(e.program)[\(e.pid)]: " : "\(e.program): ")
        return EvidenceLine(time: e.time, location: e.location.description, text: prog + e.message, kind: e.kind.rawValue)
    }

    func banStory(_ b: BanWindow) -> BanStory {
        var ev = b.leadUp.map(Explainer.evidence)
        ev.append(Explainer.evidence(b.banEvent))
        if let u = b.unbanEvent { ev.append(Explainer.evidence(u)) }
        return BanStory(source: b.source.rawValue, jail: b.jail, start: b.start, end: b.end, seconds: b.seconds,
                        alreadyBanned: b.alreadyBanned, evidence: ev)
    }

    /// Fills `<ip>`, `<jail>` and `<user>` in a fix or settle text, but only with values made of
    /// characters that are safe inside a shell command and a Markdown code span (letters, digits,
    /// `.`, `:`, `-`, `_`, `@`); anything else leaves the placeholder, so attacker-chosen names never
    /// end up in a command the admin might paste.
    func substitute(_ s: String, ip: String, jail: String?, user: String?) -> String {
        var out = s
        if Explainer.isSafeToken(ip) { out = Explainer.replacing(out, "<ip>", with: ip) }
        if let jail, Explainer.isSafeToken(jail) { out = Explainer.replacing(out, "<jail>", with: jail) }
        if let user, Explainer.isSafeToken(user) { out = Explainer.replacing(out, "<user>", with: user) }
        return out
    }

    /// `s` with every occurrence of the ASCII `placeholder` replaced, left to right, compared
    /// byte by byte (the generic `replacing` costs some 100 000 instructions a call).
    static func replacing(_ s: String, _ placeholder: StaticString, with value: String) -> String {
        placeholder.withUTF8Buffer { t in
            let h = Array(s.utf8)
            guard !t.isEmpty, h.count >= t.count else { return s }
            var out: [UInt8] = []
            var i = 0, found = false
            while i < h.count {
                if h[i] == t[0], i + t.count <= h.count, h[i..<(i + t.count)].elementsEqual(t) {
                    if !found {
                        out.reserveCapacity(h.count + value.utf8.count)
                        out.append(contentsOf: h[0..<i])
                        found = true
                    }
                    out.append(contentsOf: value.utf8)
                    i += t.count
                } else {
                    if found { out.append(h[i]) }
                    i += 1
                }
            }
            return found ? String(decoding: out, as: UTF8.self) : s
        }
    }

    static func isSafeToken(_ s: String) -> Bool {
        if s.isEmpty || s.utf8.count > 64 { return false }
        for b in s.utf8 {
            let ok = (b >= 48 && b <= 57) || (b >= 65 && b <= 90) || (b >= 97 && b <= 122)
                || b == 46 || b == 58 || b == 45 || b == 95 || b == 64
            if !ok { return false }
        }
        return true
    }

    func banCause(_ t: ClientTimeline, _ b: BanWindow) -> CauseStory {
        let info = CauseID.banned.info
        let who = b.source == .sshguard ? "sshguard" : "fail2ban jail \(b.jail)"
        var s = "\(who) banned \(t.address) at \(TimeText.dateTime(b.start)) UTC"
        if let e = b.end {
            s += " until \(TimeText.dateTime(e)) (\(TimeText.duration(e - b.start)))"
        } else if let secs = b.seconds {
            s += " for \(Int(secs)) s"
        } else {
            s += "; no unban was logged, so it may still be in force"
        }
        s += ". Connection attempts during a ban are rejected by the kernel firewall and never reach sshd, so they leave no sshd lines."
        if !b.leadUp.isEmpty { s += " \(b.leadUp.count) failure report(s) led to it (shown as evidence)." }
        if b.alreadyBanned > 0 {
            s += " fail2ban saw \(b.alreadyBanned) more failure(s) during the ban: the ban did not block everything (wrong port or chain, or an established session)."
        }
        if t.isLegitimate {
            s += " This address also logged in successfully (\(t.acceptedUsers.joined(separator: ", "))): a legitimate user was locked out."
        }
        return CauseStory(id: .banned, title: info.title, confidence: .high, summary: s, alternatives: [], likely: nil,
                          fix: substitute(info.fix, ip: t.address, jail: b.source == .sshguard ? "sshd" : b.jail, user: nil),
                          settle: substitute(info.settle, ip: t.address, jail: b.jail, user: nil))
    }

    func firewallCause(_ t: ClientTimeline) -> CauseStory {
        let info = CauseID.firewall.info
        var s = "The kernel firewall logged \(t.firewall.count) blocked packet(s) from \(t.address) to the SSH port between \(TimeText.dateTime(t.firewall.first)) and \(TimeText.dateTime(t.firewall.last)) UTC; these never reached sshd."
        if t.firewall.rateLimited { s += " They were refused by a rate limit (`ufw limit`), not a static rule." }
        return CauseStory(id: .firewall, title: info.title, confidence: .high, summary: s, alternatives: [], likely: nil,
                          fix: substitute(info.fix, ip: t.address, jail: nil, user: nil),
                          settle: substitute(info.settle, ip: t.address, jail: nil, user: nil))
    }

    func causeStory(_ c: Connection, _ t: ClientTimeline) -> CauseStory {
        let d = c.diagnosis!
        let info = d.cause.info
        let ip = c.client ?? "the client"
        let jail = c.banJail ?? t.bans.last?.jail
        var fix = substitute(info.fix, ip: ip, jail: jail, user: c.user)
        if let fact = ServerFacts.sentence(for: d.cause, sshd) { fix += " " + fact }
        return CauseStory(id: d.cause, title: info.title, confidence: d.confidence, summary: describe(c, d, t),
                          alternatives: d.alternatives, likely: d.likely,
                          fix: fix,
                          settle: substitute(info.settle, ip: ip, jail: jail, user: c.user))
    }

    /// One or two sentences saying what happened to this connection, from its own lines.
    func describe(_ c: Connection, _ d: Diagnosis, _ t: ClientTimeline) -> String {
        let who = c.user.map { "user \($0)" } ?? "the client"
        let reason = c.endingReason
        let fails = c.failures > 0 ? " after \(c.failures) failed attempt(s)" : ""
        switch d.cause {
        case .banned:
            let jail = c.banJail ?? t.bans.last?.jail ?? "sshd"
            if let b = c.bannedAt {
                return "A ban (jail \(jail)) on \(ip(c)) started at \(TimeText.dateTime(b)) UTC while this connection was open\(fails); the connection stopped there: the firewall rule drops all its packets, including an established session's."
            }
            return "\(ip(c)) was banned (jail \(jail)) when this connection ended."
        case .firewall:
            return "The kernel firewall dropped the connection attempt before sshd saw it."
        case .maxstartups:
            var s = "sshd's listener dropped this connection at once: too many unauthenticated connections were pending (MaxStartups)."
            if c.duringThrottling { s += " MaxStartups throttling was active; sshd ≤ 9.7 logs only the first drop of a burst at INFO, so other clients may have been dropped silently too." }
            return s
        case .penalty:
            return "sshd's listener refused the connection because \(ip(c)) carries a PerSourcePenalties penalty" + (reason.map { " (\($0))" } ?? "") + "."
        case .tcpWrappers:
            return "libwrap refused the connection from \(ip(c)) (/etc/hosts.deny or hosts.allow) before the SSH banner."
        case .userNotAllowed:
            let line = c.decisive
            var s = "sshd's configuration refused \(who)"
            if let r = line?.fields.reason { s += ": \(r)" } else if line?.kind == .authRootRefused { s += ": PermitRootLogin" }
            else if line?.kind == .authAccountDenied { s += ": the PAM account stack denied it (expired or restricted account)" }
            else if line?.kind == .authProhibited { s += ": RefuseConnection matched" }
            return s + "."
        case .kexMismatch:
            let e = c.decisive
            var s = "No common \(e?.fields.what ?? "algorithm") between client and server."
            if let offer = e?.fields.offer { s += " The client offered: \(offer)." }
            return s
        case .tooManyAuthFailures:
            return "\(who.capitalisedFirst) hit MaxAuthTries\(fails): sshd disconnected with \"Too many authentication failures\" (typically an agent offering many keys)."
        case .noAuthMethods:
            return "The client gave up: it had no authentication method the server accepts (disconnect code 14)\(fails)."
        case .loginGraceTimeout:
            if c.kinds.contains(.authGraceTimeout) {
                return "The connection did not authenticate within LoginGraceTime; sshd closed it."
            }
            return "The connection started at \(TimeText.dateTime(c.start)) UTC, its last line was at \(TimeText.dateTime(c.end)) and no ending was logged although the log goes on. This is what LoginGraceTime expiry looks like on builds that do not log it (Debian 12's 9.2, patched 8.5–9.7, and 7.4–8.4)."
        case .idleTimeout:
            if c.kinds.contains(.sessionInactive) {
                return "sshd closed the connection after UnusedConnectionTimeout: no channels were open."
            }
            return "The client stopped answering sshd's keepalives (ClientAliveInterval × ClientAliveCountMax): the network path died or the client slept."
                + (c.bannedAt != nil ? " A ban on the address started while the session was open, which has the same effect." : "")
        case .networkReset:
            return "The TCP connection failed" + (reason.map { ": \($0)" } ?? "") + " (" + (c.accepted ? "after login" : "before login, at stage \(c.stage.name)") + "). A reset or timeout comes from the network path or the client's machine, not from sshd."
        case .packetCorruption:
            return "sshd received corrupted packets (MAC/length check failed) and closed the connection."
        case .clientVanished:
            return "After login the client's TCP connection closed without an SSH disconnect message: window closed, client killed, laptop asleep, a NAT dropped the flow, or a PuTTY logout (which sends no disconnect)."
        case .serverRestart:
            if c.kinds.contains(.serverChildCrash) { return "The session's processes were terminated by signal 15: sshd was stopped or restarted." }
            return "sshd on \(c.host) was stopped (signal 15) at \(c.restartAt.map { TimeText.dateTime($0) } ?? "?") UTC while this connection was open, and the connection left no further lines."
        case .serverResource:
            return "sshd failed for lack of resources or a process crashed" + (reason.map { ": \($0)" } ?? "") + "."
        case .slowDNS:
            return "sshd did a reverse DNS lookup for this client (UseDNS) and the connection then stalled without an ending: consistent with a slow resolver running into LoginGraceTime."
        case .authFailed:
            return "\(who.capitalisedFirst) failed to authenticate\(fails) and the client closed the connection."
                + (t.isLegitimate ? " The same address logged in successfully elsewhere in the window." : "")
        case .invalidUser:
            return "The user name \(c.user.map { "\"\($0)\"" } ?? "") does not exist on this server\(fails); the client closed the connection."
        case .clientGaveUp:
            if c.users.isEmpty {
                return "The client closed the connection before trying any user (stage \(c.stage.name)): a scanner, a declined host key, or a client that gave up."
            }
            return "\(who.capitalisedFirst) closed the connection during authentication without a logged failure: a cancelled prompt, a refused key (logged only at VERBOSE), or a declined host key."
        case .bannerFailure:
            return "The peer did not complete the SSH banner exchange" + (reason.map { " (\($0))" } ?? "") + ": not an SSH client (scanner, health check, proxy)."
        case .unknown:
            var s = c.accepted
                ? "The session ended without a logged reason (only the PAM session close). At LogLevel INFO sshd ≤ 9.7 writes the same lines for a clean PuTTY logout, a killed client and a network reset."
                : "The connection stopped without a logged reason."
            if let l = d.likely { s += " Most likely: \(l.rawValue) (low confidence)." }
            return s
        case .cleanDisconnect:
            return "\(who.capitalisedFirst) logged out normally."
        case .noTrace:
            return "No line about this client."
        }
    }

    func ip(_ c: Connection) -> String { c.client ?? "the client" }

    func noTrace(_ result: CorrelationResult) -> ClientStory {
        let info = CauseID.noTrace.info
        let subject = client ?? "user \(user ?? "?")"
        var s = "Nothing in \(window) names \(subject): no sshd, PAM, fail2ban, sshguard or firewall line."
        s += " The attempts most likely never reached sshd."
        if !result.throttles.isEmpty {
            s += " MaxStartups throttling was active in the window (\(result.throttles.count) period(s)); sshd ≤ 9.7 logs only the first drop of a burst at INFO, so a silent drop is possible."
        }
        s += " LoginGraceTime expiry is not logged at all by Debian 12's sshd 9.2 either."
        let story = CauseStory(id: .noTrace, title: info.title, confidence: .medium, summary: s,
                               alternatives: [.banned, .firewall, .maxstartups, .loginGraceTimeout], likely: nil,
                               fix: substitute(info.fix, ip: client ?? "<ip>", jail: "sshd", user: user),
                               settle: substitute(info.settle, ip: client ?? "<ip>", jail: "sshd", user: user))
        return ClientStory(address: client, causes: [.noTrace], headline: story, legitimate: false,
                           users: user.map { [$0] } ?? [], moreUsers: 0, acceptedUsers: [], first: nil, last: nil,
                           connectionCount: 0, dropCount: 0, failureCount: 0, acceptedCount: 0, causeCounts: [],
                           bans: [], firewallDrops: 0, firewallEvidence: [], penaltyEvidence: [], connections: [],
                           omittedConnections: 0)
    }
}

extension String {
    var capitalisedFirst: String {
        guard let f = first else { return self }
        return f.uppercased() + dropFirst()
    }
}
