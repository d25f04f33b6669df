#if canImport(Glibc)
import Glibc
#endif

/// Groups tagged lines into connections and connections into per-client timelines.
///
/// Feed it every `TaggedEvent` of a run in time order (`add`), then call `finish()`. Lines are
/// joined to connections by (host, pid), with pid reuse detected (a new `Connection from`, a new
/// client address or port on the same pid, or any non-trailing line after the previous connection
/// ended); the post-auth child joins its monitor through `User child is on pid` or the (client,
/// port) pair both print; listener lines that name a connection's pid (`Timeout before
/// authentication ... pid = C`) join it; listener drops become one-line connections of their own;
/// fail2ban/sshguard bans become ban windows on the client; logind lines join by user and time.
///
/// Finished connections are diagnosed and folded into their client's aggregates; only a bounded
/// number per client stay in full detail, so memory grows with distinct clients, not with lines.
///
/// - Complexity: O(1) amortised per line (two hash lookups), plus periodic sweeps over the open
///   connections (at most once per 30 s of log time).
public final class Correlator {
    public struct Options: Sendable {
        /// Brute-force style connections kept in full per client (the rest are counted).
        public var detailPerClient = 3
        /// Logins and operational drops kept in full per client.
        public var importantPerClient = 24
        /// Evidence lines kept per connection: the first `evidenceHead` and the last `evidenceTail`.
        public var evidenceHead = 8
        public var evidenceTail = 16
        /// Keep every line of every connection and every connection (for `timeline`, filtered).
        public var keepEverything = false
        /// Only connections from this address (others are counted, not kept).
        public var client: String?
        /// Only connections that tried this user name.
        public var user: String?
        /// Open connections above which the oldest idle ones are folded early.
        public var maxOpen = 200_000
        /// The server's settings (sshd_config), for reasoning from time and for advice.
        public var sshd = SSHDSettings()

        public init() {}
    }

    /// Host-wide lines (listener start/stop, MaxStartups throttling), kept for context.
    public struct HostEvent: Sendable {
        public var event: TaggedEvent
    }

    /// A MaxStartups throttling period on one host.
    public struct ThrottleWindow: Sendable {
        public var host: String
        public var start: Int64
        public var end: Int64?
        public var dropped: Int?
    }

    let options: Options
    var table = PidTable()
    let evidenceNames = EvidenceNames()
    var clients: [ClientKey: ClientTimeline] = [:]
    private var lastTimeline: ClientTimeline?
    var hostEvents: [TaggedEvent] = []
    var droppedHostEvents = 0
    var throttles: [ThrottleWindow] = []
    var throttlingHosts: Set<String> = []
    var restarts: [(host: String, time: Int64)] = []
    /// logind session → connection, and the latest login per (host, user), for joining logind lines.
    var logindSessions: [NameKey: Connection] = [:]
    var lastLogin: [NameKey: Connection] = [:]
    var firstTime: Int64 = .max
    var lastTime: Int64 = .min
    var lastSweep: Int64 = .min
    var eventCount = 0
    var lastForcedSweep = 0
    var spoofedIgnored = 0
    var filteredOut = 0

    static let sweepEvery: Int64 = 30_000_000
    static let endedLinger: Int64 = 30_000_000
    static let preauthStale: Int64 = 900_000_000
    static let maxHostEvents = 2_000

    /// Called with every connection as it is finished and diagnosed (before client filters), e.g.
    /// for the daily report's per-hour counts.
    public var onFinished: ((Connection) -> Void)?

    public init(options: Options = Options()) {
        self.options = options
    }

    /// Adds one tagged line. Lines must come in time order (as `IngestRun` delivers them); small
    /// disorder between files is tolerated. The event may be borrowed (`forEachTagged`'s): what
    /// the correlator keeps of it, it copies (`owned()`, evidence blocks).
    public func add(_ e: TaggedEvent) {
        if e.spoofed {
            spoofedIgnored += 1
            return
        }
        eventCount += 1
        if e.time < firstTime { firstTime = e.time }
        if e.time > lastTime { lastTime = e.time }
        if lastSweep == .min { lastSweep = e.time }

        switch e.kind {
        case .f2bBan, .f2bUnban, .f2bRestore, .f2bFound, .f2bAlreadyBanned, .f2bIncrease, .f2bIgnore,
             .sshguardAttack, .sshguardBlock, .sshguardRelease:
            blocker(e)
        case .firewallBlock:
            if let ip = e.fields.client.map(Correlator.normalise) {
                let limit = e.withMessage { Diagnoser.limitWord.isFound(in: $0) }
                timeline(ip).addFirewall(e, limit: limit)
            }
        case .limitDrop, .penaltyDrop:
            listenerDrop(e)
        case .limitThrottleBegin, .limitThrottleStatus, .limitThrottleEnd, .limitRateLimited:
            throttle(e)
        case .penalty:
            if let ip = e.fields.client.map(Correlator.normalise) { timeline(ip).addPenalty(e) }
            hostEvent(e)
        case .serverListening, .serverTerminating, .serverReload, .serverBindFailed:
            server(e)
        case .logindNew, .logindLogout, .logindRemoved:
            logind(e)
        default:
            connectionLine(e)
        }

        if e.time - lastSweep >= Correlator.sweepEvery {
            sweep(now: lastTime, force: false)
            lastSweep = e.time
        } else if table.count > options.maxOpen && eventCount - lastForcedSweep >= 10_000 {
            // Too many open connections: fold the idle ones early (at most every 10 000 lines).
            sweep(now: lastTime, force: true)
            lastForcedSweep = eventCount
        }
    }

    // MARK: - Connections

    /// Lines that may follow a connection's ending and still belong to it.
    static func isTrailing(_ k: EventKind) -> Bool {
        switch k {
        case .sessionClosed, .sessionEnd, .connTransferred, .connClosing, .authPamMore, .connDisconnected,
             .discReceived, .discSent, .connClosed, .connReset, .connReadError, .connWriteFailed, .connTimedOut,
             .serverChildCrash, .authMaxTries, .packetError, .packetCorrupt, .authRootRefused, .authGraceTimeout,
             .sessionChild, .authAccountDenied:
            return true
        default:
            return false
        }
    }

    private func connectionLine(_ e: TaggedEvent) {
        let f = e.fields
        // Listener lines that name the per-connection process.
        var pid = e.pid
        if (e.kind == .authGraceTimeout || e.kind == .serverChildCrash), let p = f.pid, p != e.pid {
            pid = p
        }
        let host = table.hostID(e.host)
        let existing = table.connection(host: host, pid: pid)
        // Most lines name the client their connection already has: its String is reused (the
        // bytes are equal, and a normalised address normalises to itself).
        let client: String?
        if let known = existing?.client, f.text(.client, equals: known) {
            client = known
        } else {
            client = f.client.map(Correlator.normalise)
        }
        let port = f.port
        let conn = openConnection(e, existing: existing, pid: pid, host: host, client: client, port: port)
            ?? newConnection(e, pid: pid, host: host)
        apply(e, f, to: conn, client: client, port: port)
    }

    /// The open connection that line `e` belongs to, if any; an open one the line shows to have
    /// ended (a reused pid) is folded first. (A helper of its own: the connection found is handed
    /// back once, without further reference counting.)
    private func openConnection(_ e: TaggedEvent, existing: Connection?, pid: Int32, host: Int32, client: String?,
                                port: Int?) -> Connection? {
        if let existing {
            if !startsNew(existing, e, client: client, port: port) { return existing }
            fold(existing)
        }
        if let client, let port, let linked = table.connection(host: host, client: client, port: port) {
            // The post-auth child (or another process of the same connection) printing the pair.
            if pid > 0 { table.register(linked, pid: pid) }
            if linked.childPid == nil && pid != linked.pid { linked.childPid = pid }
            return linked
        }
        if let client, port == nil, Correlator.isPostAuthEnding(e.kind),
           let tl = clients[ClientKey(client)], let session = Correlator.latest(tl.open, where: { $0.hostID == host && $0.accepted && !$0.hasEnding }) {
            // Old sshd (≤ 7.x) post-auth endings without a port: the client's latest open session.
            if pid > 0 { table.register(session, pid: pid) }
            if session.childPid == nil && pid != session.pid { session.childPid = pid }
            return session
        }
        if let client, port == nil, isPamAuth(e.kind) {
            // A PAM conversation helper process: join the client's latest open connection.
            if let tl = clients[ClientKey(client)], let recent = Correlator.latest(tl.open, where: { $0.hostID == host && !$0.ended }) {
                if pid > 0 { table.register(recent, pid: pid) }
                return recent
            }
        }
        return nil
    }

    private func newConnection(_ e: TaggedEvent, pid: Int32, host: Int32) -> Connection {
        let conn = Connection(host: e.host, hostID: host, pid: pid, time: e.time, names: evidenceNames)
        table.register(conn, pid: pid)
        if throttlingHosts.contains(e.host) { conn.duringThrottling = true }
        return conn
    }

    /// The open connection that started last among those matching.
    static func latest(_ list: ConnectionSlots, where match: (Connection) -> Bool) -> Connection? {
        var best: Connection?
        for c in list where match(c) && (best == nil || c.start >= best!.start) { best = c }
        return best
    }

    static func isPostAuthEnding(_ k: EventKind) -> Bool {
        switch k {
        case .discReceived, .connDisconnected, .connClosed, .connReset, .connReadError, .connWriteFailed,
             .connTimedOut, .sessionAliveTimeout, .sessionInactive:
            return true
        default:
            return false
        }
    }

    private func isPamAuth(_ k: EventKind) -> Bool {
        k == .authPamFailure || k == .authPamMore || k == .authPamUnknown
    }

    private func startsNew(_ c: Connection, _ e: TaggedEvent, client: String?, port: Int?) -> Bool {
        if e.kind == .connOpen && (!c.evidence.isEmpty || c.omittedEvents > 0) { return true }
        if let port, let client, let cport = c.port, let cclient = c.client, port != cport || client != cclient {
            return true
        }
        if c.ended && !Correlator.isTrailing(e.kind) {
            // A further line naming the same client and port moments later is about the same
            // connection (9.2 writes `banner exchange: … invalid format` after its
            // `kex_exchange_identification` error), not a reused pid.
            if let port, let client, c.port == port, c.client == client, e.time - c.end <= 5_000_000 { return false }
            return true
        }
        if c.ended && e.time - c.end > 600_000_000 { return true }
        return false
    }

    /// `f` is `e.fields`, read once by the caller: each `e.fields.x` would copy the fields.
    private func apply(_ e: TaggedEvent, _ f: EventFields, to c: Connection, client: String?, port: Int?) {
        if e.time < c.start { c.start = e.time }
        if e.time > c.end { c.end = e.time }
        if options.keepEverything {
            c.record(e, head: .max / 2, tail: 0)
        } else {
            c.record(e, head: options.evidenceHead, tail: options.evidenceTail)
        }
        c.kinds.insert(e.kind)
        if c.client == nil, let client, port != nil || e.kind != .authPamFailure || isAddress(client) {
            c.client = client
            attach(c, to: client)
        }
        if c.port == nil, let port, c.client != nil, client == c.client {
            c.port = port
            table.registerEndpoint(c)
        }
        if c.localAddress == nil, let l = f.laddr { c.localAddress = l }
        if c.localPort == nil, let l = f.lport { c.localPort = l }
        if c.clientVersion == nil, f.hasExtra,
           let v = f.extra["version"] ?? f.extra["client_version"] { c.clientVersion = v }

        switch e.kind {
        case .connOpen:
            break
        case .bannerNone, .bannerBad:
            raise(c, .banner)
            if e.kind == .bannerBad, let r = f.reason, c.clientVersion == nil,
               e.withMessage { Diagnoser.identificationWord.isFound(in: $0) } {
                c.clientVersion = r  // what the client sent instead of a valid banner
            }
            c.setEnding(e, f, by: .client)
        case .bannerError:
            raise(c, .banner)
            c.setEnding(e, f, by: .network)
        case .bannerProbe:
            raise(c, .banner)
            if c.clientVersion == nil { c.clientVersion = f.reason }  // "probed ... with <banner>"

        case .tcpwrapRefused:
            c.setEnding(e, f, by: .server)
        case .dnsMismatch:
            break
        case .kexNoMatch:
            raise(c, .kex)
            c.setDecisive(e)
            c.setEnding(e, f, by: .server)
        case .kexError:
            raise(c, .kex)
        case .authInvalidUser:
            raise(c, .auth)
            c.userExists = false
            c.noteUser(from: f)
        case .authFailed:
            raise(c, .auth)
            c.failures += 1
            if f.invalid { c.userExists = false } else if c.userExists == nil { c.userExists = true }
            c.noteUser(from: f)
            c.noteMethod(f.method ?? "unknown", "failed")
        case .authPamFailure:
            raise(c, .auth)
            if c.failures == 0 { c.failures = 1 }
            c.noteUser(from: f)
        case .authPamUnknown:
            raise(c, .auth)
            c.userExists = false
        case .authPamMore, .authPostponed, .authPartial, .authKeyRefused:
            raise(c, .auth)
            c.noteUser(from: f)
            if e.kind == .authPostponed { c.noteMethod(f.method ?? "unknown", "postponed") }
            if e.kind == .authPartial { c.noteMethod(f.method ?? "unknown", "partial") }
        case .authAccepted:
            raise(c, .session)
            c.accepted = true
            c.userExists = true
            if let u = f.user {
                c.userList.removeAll(u)
                c.userList.append(u)
                lastLogin[NameKey(host: c.hostID, name: u)] = c
            }
            c.noteMethod(f.method ?? "unknown", "accepted")
        case .authNotAllowed, .authRootRefused, .authProhibited:
            raise(c, .auth)
            c.setDecisive(e)
            c.noteUser(from: f)
            if e.kind == .authProhibited { c.setEnding(e, f, by: .server) }
        case .authAccountDenied:
            raise(c, .auth)
            c.setDecisive(e)
            c.noteUser(from: f)
            c.setEnding(e, f, by: .server)
        case .authMaxTries:
            raise(c, .auth)
            c.noteUser(from: f)
            c.setEnding(e, f, by: .server)
        case .authGraceTimeout:
            c.setEnding(e, f, by: .server)
        case .discReceived:
            c.setEnding(e, f, by: .client)
        case .discSent:
            c.setEnding(e, f, by: .server)
        case .connDisconnected, .connClosed:
            c.noteUser(from: f)
            c.setEnding(e, f, by: .client)
        case .connReset, .connReadError, .connWriteFailed, .connTimedOut:
            c.setEnding(e, f, by: .network)
        case .packetCorrupt:
            c.setEnding(e, f, by: .network)
        case .packetError:
            c.setEnding(e, f, by: Diagnoser.isNetworkError(e, f) ? .network : .server)
        case .connClosing, .connTransferred:
            break
        case .sessionOpened:
            raise(c, .session)
            c.noteUser(from: f)
        case .sessionClosed:
            c.sessionClosed = true
        case .sessionChild:
            if let p = f.pid {
                c.childPid = p
                table.register(c, pid: p)
            }
        case .sessionStart, .sessionEnd:
            break
        case .sessionAliveTimeout, .sessionInactive:
            c.setEnding(e, f, by: .server)
        case .serverChildCrash, .serverResource:
            c.setEnding(e, f, by: .server)
        default:
            break
        }
    }

    private func raise(_ c: Connection, _ s: Stage) {
        if s > c.stage { c.stage = s }
    }

    private func isAddress(_ s: String) -> Bool {
        for b in s.utf8 where !(b == 46 || b == 58 || (b >= 48 && b <= 57) || (b >= 97 && b <= 102) || (b >= 65 && b <= 70)) {
            return false
        }
        return !s.isEmpty
    }

    private func attach(_ c: Connection, to client: String) {
        let tl = timeline(client)
        c.owner = tl
        tl.addOpen(c)
        tl.touch(c.start)
    }

    func timeline(_ address: String) -> ClientTimeline {
        // Attempts come in bursts from one client: the last one found is checked first.
        if let t = lastTimeline, t.address == address { return t }
        let t: ClientTimeline
        let key = ClientKey(address)
        if let known = clients[key] {
            t = known
        } else {
            t = ClientTimeline(address: address)
            clients[key] = t
        }
        lastTimeline = t
        return t
    }

    /// Strips the IPv4-mapped prefix and a `/bits` suffix (sshguard, srclimit) so that the same
    /// client has one key.
    static func normalise(_ s: String) -> String {
        var slash = false, mapped = false
        let scanned: Void? = s.utf8.withContiguousStorageIfAvailable { b in
            slash = b.count > 0 && memchr(b.baseAddress!, 47, b.count) != nil
            mapped = b.count > 7 && b[0] == 58 && b[1] == 58 && b[2] == 102 && b[3] == 102 && b[4] == 102
                && b[5] == 102 && b[6] == 58
        }
        if scanned == nil {
            slash = s.utf8.contains(47)
            mapped = s.utf8.count > 7 && s.utf8.starts(with: "::ffff:".utf8)
        }
        if !slash && !mapped { return s }
        var t = s
        if slash, let i = t.firstIndex(of: "/") { t = String(t[..<i]) }
        if mapped, t.contains(".") { t = String(t.dropFirst(7)) }
        return t
    }

    // MARK: - Listener, server, blockers, logind

    private func listenerDrop(_ e: TaggedEvent) {
        let f = e.fields
        let c = Connection(host: e.host, hostID: table.hostID(e.host), pid: e.pid, time: e.time,
                           names: evidenceNames)
        if throttlingHosts.contains(e.host) { c.duringThrottling = true }
        let client = f.client.map(Correlator.normalise)
        c.client = client
        c.port = f.port
        c.localAddress = f.laddr
        c.localPort = f.lport
        c.record(e, head: 1, tail: 0)
        c.kinds.insert(e.kind)
        c.setEnding(e, f, by: .server)
        finishConnection(c)
    }

    private func throttle(_ e: TaggedEvent) {
        hostEvent(e)
        switch e.kind {
        case .limitThrottleBegin:
            throttlingHosts.insert(e.host)
            if throttles.count >= 256 { throttles.removeFirst() }
            throttles.append(ThrottleWindow(host: e.host, start: e.time, end: nil, dropped: nil))
        case .limitThrottleEnd:
            throttlingHosts.remove(e.host)
            if let i = throttles.lastIndex(where: { $0.host == e.host && $0.end == nil }) {
                throttles[i].end = e.time
                throttles[i].dropped = e.fields.count
            } else {
                throttles.append(ThrottleWindow(host: e.host, start: e.time, end: e.time, dropped: e.fields.count))
            }
        default:
            break
        }
    }

    /// How long before a listener's "Received signal" a silent session close still counts as
    /// part of the same stop.
    static let restartRace: Int64 = 3_000_000

    private func server(_ e: TaggedEvent) {
        hostEvent(e)
        if e.kind == .serverTerminating {
            restarts.append((e.host, e.time))
            if restarts.count > 1_000 { restarts.removeFirst() }
            let host = table.hostID(e.host)
            for c in table.all where c.hostID == host && c.restartAt == nil {
                // Open connections, and those whose session closed moments before the listener
                // logged its signal without any ending of their own: a stop with
                // KillMode=control-group signals every process at once, and the session monitors
                // often write their PAM close before the listener writes "Received signal 15".
                if !c.ended || (!c.hasEnding && c.accepted && e.time - c.end <= Correlator.restartRace) {
                    c.restartAt = e.time
                }
            }
            throttlingHosts.remove(e.host)
        }
    }

    private func hostEvent(_ e: TaggedEvent) {
        if !options.keepEverything && hostEvents.count >= Correlator.maxHostEvents {
            hostEvents.removeFirst(Correlator.maxHostEvents / 4)
            droppedHostEvents += Correlator.maxHostEvents / 4
        }
        hostEvents.append(e.owned())
    }

    private func logind(_ e: TaggedEvent) {
        let f = e.fields
        guard let session = f.session else { return }
        let host = table.hostID(e.host)
        let key = NameKey(host: host, name: session)
        switch e.kind {
        case .logindNew:
            if let u = f.user, let c = lastLogin[NameKey(host: host, name: u)], e.time - c.end <= 10_000_000,
               table.connection(host: c.hostID, pid: c.pid) === c {
                logindSessions[key] = c
                apply(e, f, to: c, client: nil, port: nil)
            }
            if logindSessions.count > 50_000 { logindSessions.removeAll() }
        case .logindLogout, .logindRemoved:
            if let c = logindSessions[key] {
                if table.connection(host: c.hostID, pid: c.pid) === c { apply(e, f, to: c, client: nil, port: nil) }
                if e.kind == .logindRemoved { logindSessions[key] = nil }
            }
        default:
            break
        }
    }

    private func blocker(_ e: TaggedEvent) {
        let f = e.fields
        guard let raw = f.client else { return }
        let ip = Correlator.normalise(raw)
        let tl = timeline(ip)
        tl.touch(e.time)
        let source: BanWindow.Source = e.kind.rawValue.hasPrefix("sshguard") ? .sshguard : .fail2ban
        let jail = f.jail ?? (source == .sshguard ? "sshguard" : "sshd")
        switch e.kind {
        case .f2bFound, .sshguardAttack:
            tl.pendingLeadUp(e)
        case .f2bBan, .f2bRestore, .sshguardBlock:
            var b = BanWindow(source: source, jail: jail, start: e.time, banEvent: e.owned())
            b.seconds = f.seconds
            b.leadUp = tl.takeLeadUp()
            tl.addBan(b)
            for c in tl.open where !c.ended && c.bannedAt == nil {
                c.bannedAt = e.time
                c.banJail = jail
            }
        case .f2bUnban, .sshguardRelease:
            if let i = tl.bans.lastIndex(where: { $0.end == nil && ($0.jail == jail || source == .sshguard) }) {
                tl.bans[i].end = e.time
                tl.bans[i].unbanEvent = e.owned()
            }
        case .f2bAlreadyBanned:
            if let i = tl.bans.lastIndex(where: { $0.jail == jail }) { tl.bans[i].alreadyBanned += 1 }
        case .f2bIncrease:
            if let i = tl.bans.lastIndex(where: { $0.jail == jail && $0.end == nil }) {
                if let s = f.seconds { tl.bans[i].seconds = s }
            }
        default:
            break
        }
    }

    // MARK: - Folding

    /// Removes a connection from the open tables, diagnoses it and hands it to its client.
    private func fold(_ c: Connection) {
        table.remove(c)
        c.owner?.removeOpen(c)
        finishConnection(c)
    }

    private func finishConnection(_ c: Connection) {
        let owner = c.owner
        c.owner = nil
        if !c.ended && c.accepted && c.bannedAt == nil && c.restartAt == nil {
            c.stillOpen = true
        }
        if !c.stillOpen {
            c.diagnosis = Diagnoser.diagnose(c, DiagnosisContext(dataEnd: lastTime, loginGraceTime: options.sshd.loginGraceTime))
        }
        onFinished?(c)
        if let want = options.client, c.client != want {
            filteredOut += 1
            return
        }
        if let want = options.user, !c.userList.contains(want) {
            filteredOut += 1
            return
        }
        let tl = owner ?? timeline(c.client ?? "unknown")
        if options.keepEverything {
            tl.add(finished: c, detailLimit: .max / 2, importantLimit: .max / 2)
        } else {
            tl.add(finished: c, detailLimit: options.detailPerClient, importantLimit: options.importantPerClient)
        }
        // After the timeline has trimmed its evidence: the lines kept are copied out once.
        c.compact()
    }

    /// Folds connections that ended a while ago, and pre-auth ones silent for longer than any
    /// LoginGraceTime; with `force`, also the oldest idle post-auth ones.
    private func sweep(now: Int64, force: Bool) {
        for c in table.all {
            if c.ended && now - c.end >= Correlator.endedLinger {
                fold(c)
            } else if !c.ended && !c.accepted && now - c.end >= Correlator.preauthStale {
                fold(c)
            } else if force && !c.ended && now - c.end >= Correlator.endedLinger {
                fold(c)
            }
        }
    }

    /// Folds everything still open and returns the result.
    public func finish() -> CorrelationResult {
        for c in table.all { fold(c) }
        evidenceNames.stopReusingBlocks()
        var list = Array(clients.values)
        if let want = options.client {
            list = list.filter { $0.address == want }
        }
        if options.user != nil {
            // Only that user's connections were kept: clients without any drop out.
            list = list.filter { $0.connectionCount > 0 }
        } else {
            // Clients with only bans or firewall lines stay: their attempts never reached sshd.
            list = list.filter { $0.connectionCount > 0 || !$0.bans.isEmpty || $0.firewall.count > 0
                || !$0.penaltyEvents.isEmpty }
        }
        return CorrelationResult(clients: list, hostEvents: hostEvents, throttles: throttles,
                                 restarts: restarts.map { RestartEvent(host: $0.host, time: $0.time) },
                                 firstTime: firstTime == .max ? nil : firstTime,
                                 lastTime: lastTime == .min ? nil : lastTime,
                                 eventCount: eventCount, spoofedIgnored: spoofedIgnored)
    }
}

extension ClientTimeline {
    /// `Found`/`Attack from` lines waiting for the ban they lead to.
    func pendingLeadUp(_ e: TaggedEvent) {
        if leadUp.count >= BanWindow.maxLeadUp { leadUp.removeFirst() }
        leadUp.append(e.owned())
    }

    func takeLeadUp() -> [TaggedEvent] {
        let l = leadUp
        leadUp = []
        return l
    }
}

/// A client address as the key of the correlator's client table: hashed with `quickHash` instead
/// of SipHash (one lookup per connection).
struct ClientKey: Hashable {
    let address: String

    init(_ address: String) {
        self.address = address
    }

    static func == (a: ClientKey, b: ClientKey) -> Bool { a.address == b.address }

    func hash(into h: inout Hasher) { h.combine(address) }

    func _rawHashValue(seed: Int) -> Int { quickHash(address, seed: UInt64(bitPattern: Int64(seed))) }
}

/// A name (logind session id, user name) on one host (a `PidTable` host number).
struct NameKey: Hashable {
    let host: Int32
    let name: String

    static func == (a: NameKey, b: NameKey) -> Bool { a.host == b.host && a.name == b.name }

    func hash(into h: inout Hasher) {
        h.combine(host)
        h.combine(name)
    }

    func _rawHashValue(seed: Int) -> Int {
        quickHash(name, seed: UInt64(bitPattern: Int64(seed)) ^ UInt64(UInt32(bitPattern: host)) &* 0x9E37_79B9_7F4A_7C15)
    }
}

/// A multiply-xorshift hash over a string's UTF-8, 8 bytes at a time, seeded per process (the
/// dictionaries' seed): for short keys (addresses, user names) a fraction of SipHash's cost.
func quickHash(_ s: String, seed: UInt64) -> Int {
    var x = seed ^ 0x9E37_79B9_7F4A_7C15
    @inline(__always) func mix(_ v: UInt64) {
        x = (x ^ v) &* 0xbf58476d1ce4e5b9
        x ^= x >> 29
    }
    func bytes(_ b: UnsafeBufferPointer<UInt8>) {
        var i = 0
        while i + 8 <= b.count {
            mix(UnsafeRawPointer(b.baseAddress! + i).loadUnaligned(as: UInt64.self))
            i += 8
        }
        var tail: UInt64 = UInt64(b.count) << 56
        var k = 0
        while i < b.count {
            tail |= UInt64(b[i]) << UInt64(8 * k)
            i += 1
            k += 1
        }
        mix(tail)
    }
    if s.utf8.withContiguousStorageIfAvailable(bytes) == nil { Array(s.utf8).withUnsafeBufferPointer(bytes) }
    x = (x ^ (x >> 27)) &* 0x94d049bb133111eb
    return Int(truncatingIfNeeded: x ^ (x >> 31))
}

public struct RestartEvent: Sendable {
    public var host: String
    public var time: Int64
}

/// The correlator's output: client timelines (unordered; the explainer orders them) and the
/// host-wide context.
public struct CorrelationResult {
    public var clients: [ClientTimeline]
    public var hostEvents: [TaggedEvent]
    public var throttles: [Correlator.ThrottleWindow]
    public var restarts: [RestartEvent]
    public var firstTime: Int64?
    public var lastTime: Int64?
    public var eventCount: Int
    public var spoofedIgnored: Int
}
