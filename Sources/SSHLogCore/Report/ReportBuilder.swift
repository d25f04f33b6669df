/// Builds a `DailyReport` in one pass over every log available up to the end of the period.
///
/// Three spans of the same stream get different work:
/// - history (before the previous period and the brute-force lookback): only `Accepted` lines
///   are tagged (a byte-prefix test decides; see `wants`), feeding the login history;
/// - the previous period: tagged and correlated, for the comparisons;
/// - the period: tagged and correlated; connections are bucketed per hour as the correlator
///   finishes them, and the correlator's clients go through `Explainer`, so the access-health
///   explanations are `explain`'s own.
///
/// Memory grows with distinct clients and users (the correlators' bounds, one counter per source
/// address and tried user name per period, one entry per (user, address) login pair).
public final class ReportBuilder {
    public struct Options: Sendable {
        /// Failed authentications from an address before a login that make it "possible brute-force success".
        public var bruteForceThreshold = 5
        /// How far back those failures may lie (µs).
        public var bruteForceLookback: Int64 = 86_400_000_000
        /// Entries in the top-sources and top-user-name lists.
        public var top = 10
        public init() {}
    }

    public let period: DailyReport.Period
    public let previous: DailyReport.Period
    let options: Options
    /// Records before this time are tagged only when they are `Accepted` lines.
    public let taggedFrom: Int64

    var history = LoginHistory()
    var failures: [String: FailureRun] = [:]
    var attention: [AttentionItem] = []

    /// One correlator over the previous period and the period, so that a connection crossing
    /// the boundary stays whole; its connections count where they ended.
    let correlator: Correlator
    var totals = Totals()
    var prevTotals = Totals()
    var dropCounts = [Int](repeating: 0, count: CauseID.allCases.count)
    var prevDropCounts = [Int](repeating: 0, count: CauseID.allCases.count)
    let bucketLength: Int64
    var bucketConnections: [Int]
    var bucketDrops: [[Int]]
    /// (user, address, cause) → count, first, last of the period's drops.
    var dropGroups: [DropKey: (count: Int, first: Int64, last: Int64)] = [:]

    var current = NoiseCounter()
    var earlier = NoiseCounter()
    /// Bans in the period: address → (jail, count, first).
    var periodBans: [String: (jail: String, count: Int, first: Int64)] = [:]

    var firstTime: Int64?
    var lastTime: Int64?
    var hosts: [String] = []
    var spoofed = 0

    struct DropKey: Hashable {
        var user: String?
        var address: String
        var cause: CauseID
    }

    struct NoiseCounter {
        var failed = 0
        var invalid = 0
        var bans = 0
        var unbans = 0
        var sources: [String: Int] = [:]
        var users: [String: Int] = [:]
        static let maxKeys = 200_000

        static func bump(_ d: inout [String: Int], _ key: String, _ n: Int) {
            if let v = d[key] { d[key] = v + n } else if d.count < NoiseCounter.maxKeys { d[key] = n }
        }
    }

    public init(period: DailyReport.Period, options: Options = Options()) {
        self.period = period
        self.options = options
        previous = DailyReport.Period(start: period.start - period.length, end: period.start)
        taggedFrom = min(previous.start, period.start - options.bruteForceLookback)
        let correlatorOptions = Correlator.Options()
        correlator = Correlator(options: correlatorOptions)
        bucketLength = period.length > 7 * 86_400_000_000 ? 86_400_000_000 : 3_600_000_000
        let n = Int(max(1, (period.length + bucketLength - 1) / bucketLength))
        bucketConnections = [Int](repeating: 0, count: n)
        bucketDrops = [[Int]](repeating: [Int](repeating: 0, count: CauseID.allCases.count), count: n)

        correlator.onFinished = { [unowned self] c in self.finished(c) }
    }

    // MARK: - Reading

    /// Whether a record needs tagging: always from `taggedFrom` on, before that only `Accepted …`
    /// lines (a byte comparison, no allocation). Static, on the value it needs, so the tagging
    /// thread can run it without touching the builder.
    @inline(__always)
    static func wants(_ r: SyslogRecord, taggedFrom: Int64) -> Bool {
        if r.time >= taggedFrom { return true }
        let m = r.message
        guard m.count > 9 else { return false }
        return m[0] == 0x41 && m[1] == 0x63 && m[2] == 0x63 && m[3] == 0x65 && m[4] == 0x70 && m[5] == 0x74
            && m[6] == 0x65 && m[7] == 0x64 && m[8] == 0x20  // "Accepted "
    }

    /// Reads the whole run (which should end at the period's end and start as early as the logs
    /// go) and builds the report.
    public static func build(_ run: IngestRun, library: PatternLibrary, period: DailyReport.Period,
                             options: Options = Options()) -> DailyReport {
        let b = ReportBuilder(period: period, options: options)
        let end = period.end, taggedFrom = b.taggedFrom
        run.forEachTagged(library, where: { $0.time < end && ReportBuilder.wants($0, taggedFrom: taggedFrom) }) { b.add($0) }
        return b.finish(inputs: run.inputsDescription)
    }

    /// Adds one tagged event; events come in time order.
    public func add(_ e: TaggedEvent) {
        if e.spoofed { spoofed += 1; return }
        let t = e.time
        if t >= period.end { return }
        if firstTime == nil || t < firstTime! { firstTime = t }
        if lastTime == nil || t > lastTime! { lastTime = t }
        let inPeriod = t >= period.start
        let inPrevious = !inPeriod && t >= previous.start
        if inPeriod && hosts.count < 16 && !e.host.isEmpty && !hosts.contains(e.host) { hosts.append(e.host) }

        switch e.kind {
        case .authAccepted:
            accepted(e, inPeriod: inPeriod)
            if inPeriod { totals.logins += 1 } else if inPrevious { prevTotals.logins += 1 }
        case .authFailed:
            // `Failed none` is the method query clients start with (logged for invalid users), not a guess.
            if e.fields.method == "none" { break }
            let n = ReportBuilder.repeats(e)
            if let ip = e.fields.client.map(Correlator.normalise) { noteFailure(ip, e, n) }
            if inPeriod { totals.failedAuth += n } else if inPrevious { prevTotals.failedAuth += n }
            if inPeriod || inPrevious { noise(e, inPeriod: inPeriod, countUser: !e.fields.invalid) }
        case .authInvalidUser:
            // `Invalid user X from IP` once per connection; the preauth echo without an address is not counted.
            if e.fields.client != nil && (inPeriod || inPrevious) { noise(e, inPeriod: inPeriod, countUser: true) }
        case .f2bBan, .sshguardBlock:
            if inPeriod {
                current.bans += 1
                if let ip = e.fields.client.map(Correlator.normalise) {
                    let jail = e.kind == .sshguardBlock ? "sshguard" : (e.fields.jail ?? "fail2ban")
                    if var b = periodBans[ip] { b.count += 1; periodBans[ip] = b } else if periodBans.count < NoiseCounter.maxKeys {
                        periodBans[ip] = (jail, 1, t)
                    }
                }
            } else if inPrevious { earlier.bans += 1 }
        case .f2bUnban, .sshguardRelease:
            if inPeriod { current.unbans += 1 } else if inPrevious { earlier.unbans += 1 }
        default:
            break
        }

        if inPeriod || inPrevious { correlator.add(e) }
    }

    /// syslog's `message repeated N times: [ … ]` stands for N lines.
    static func repeats(_ e: TaggedEvent) -> Int {
        if e.fields.extra.isEmpty { return 1 }
        return e.fields.extra["repeated"].flatMap { Int($0) }.map { max(1, $0) } ?? 1
    }

    private func noise(_ e: TaggedEvent, inPeriod: Bool, countUser: Bool) {
        let isInvalid = e.kind == .authInvalidUser
        let n = ReportBuilder.repeats(e)
        if inPeriod {
            if isInvalid { current.invalid += n } else { current.failed += n }
            if let ip = e.fields.client { NoiseCounter.bump(&current.sources, Correlator.normalise(ip), n) }
            if countUser, let u = e.fields.user { NoiseCounter.bump(&current.users, u, n) }
        } else {
            if isInvalid { earlier.invalid += n } else { earlier.failed += n }
            if let ip = e.fields.client { NoiseCounter.bump(&earlier.sources, Correlator.normalise(ip), n) }
            if countUser, let u = e.fields.user { NoiseCounter.bump(&earlier.users, u, n) }
        }
    }

    private func noteFailure(_ ip: String, _ e: TaggedEvent, _ n: Int) {
        var f = failures[ip] ?? FailureRun()
        if f.count > 0 && e.time - f.last > options.bruteForceLookback { f = FailureRun() }
        if f.count == 0 { f.first = e.time }
        f.count += n
        f.last = e.time
        if let u = e.fields.user, f.users.count < 6, !f.users.contains(u) { f.users.append(u) }
        failures[ip] = f
    }

    private func accepted(_ e: TaggedEvent, inPeriod: Bool) {
        guard let user = e.fields.user else { return }
        let address = e.fields.client.map(Correlator.normalise) ?? "unknown"
        let method = e.fields.method ?? ""
        let prior = history.note(user: user, address: address, method: method, time: e.time, beforePeriod: !inPeriod)
        let run = failures.removeValue(forKey: address)
        guard inPeriod else { return }
        if let a = AttentionRules.bruteForce(e, user: user, address: address, failures: run,
                                             threshold: options.bruteForceThreshold, lookback: options.bruteForceLookback) {
            attention.append(a)
        }
        if let a = AttentionRules.root(e, address: address) { attention.append(a) }
        if let a = AttentionRules.passwordForKeyUser(e, user: user, address: address, prior: prior) { attention.append(a) }
        // Without history before the period every login would be "new": the rule needs some.
        if let h = firstTime, h < period.start,
           let a = AttentionRules.newAddress(e, user: user, address: address, prior: prior, historyStart: h) {
            attention.append(a)
        }
    }

    /// A connection the correlator finished: counted in the period it ended in (its last line).
    private func finished(_ c: Connection) {
        if c.end < period.start {
            prevTotals.connections += 1
            if let d = c.diagnosis, d.cause.isDrop {
                prevTotals.drops += 1
                prevDropCounts[d.cause.rank] += 1
            }
            return
        }
        totals.connections += 1
        let i = Int(max(0, min(Int64(bucketConnections.count - 1), (c.end - period.start) / bucketLength)))
        bucketConnections[i] += 1
        guard let d = c.diagnosis, d.cause.isDrop else { return }
        totals.drops += 1
        dropCounts[d.cause.rank] += 1
        bucketDrops[i][d.cause.rank] += 1
        let key = DropKey(user: c.user, address: c.client ?? "unknown", cause: d.cause)
        if let g = dropGroups[key] {
            dropGroups[key] = (g.count + 1, min(g.first, c.end), max(g.last, c.end))
        } else if dropGroups.count < NoiseCounter.maxKeys {
            dropGroups[key] = (1, c.end, c.end)
        }
    }

    // MARK: - Finishing

    public func finish(inputs: String) -> DailyReport {
        var result = correlator.finish()
        let periodThrottles = result.throttles.filter { $0.start >= period.start && $0.start < period.end }
        // Only the clients the access-health section shows are worded (the explainer's cost is
        // per connection kept; brute-force sources need none).
        let wanted = Set(healthKeys().map { $0.key.address })
        result.clients = result.clients.filter { wanted.contains($0.address) }
        let explained = Explainer(window: "", since: period.start, until: period.end, inputs: inputs,
                                  limit: nil, connectionsPerClient: nil).report(result)

        totals.dropsByCause = ReportBuilder.byCause(dropCounts)
        prevTotals.dropsByCause = ReportBuilder.byCause(prevDropCounts)
        let health = accessHealth(explained)
        var items = attention
        let known = health.dropped.filter { $0.cause == .maxstartups || $0.cause == .penalty }.compactMap { $0.user }
        let firstShed = dropGroups.filter { $0.key.cause == .maxstartups || $0.key.cause == .penalty }.map { $0.value.first }.min()
        if let a = AttentionRules.shedding(maxstartups: dropCounts[CauseID.maxstartups.rank],
                                           penalty: dropCounts[CauseID.penalty.rank], throttles: periodThrottles,
                                           first: firstShed, knownUsersHit: Array(Set(known)).sorted()) {
            items.append(a)
        }
        items.sort { $0.kind.rank != $1.kind.rank ? $0.kind.rank < $1.kind.rank : $0.time < $1.time }

        var buckets: [Bucket] = []
        for i in 0..<bucketConnections.count {
            var drops: [(CauseID, Int)] = []
            for c in CauseID.allCases where bucketDrops[i][c.rank] > 0 { drops.append((c, bucketDrops[i][c.rank])) }
            buckets.append(Bucket(start: period.start + Int64(i) * bucketLength, connections: bucketConnections[i], drops: drops))
        }

        var notes: [String] = []
        if let f = firstTime, f < period.start {
            if period.start - f < 7 * 86_400_000_000 {
                notes.append("The logs read start at \(TimeFormat.local(f)): \"new address\" findings only look back that far.")
            }
        } else {
            notes.append("No log lines before the period: \"new address\" and \"password for a key account\" findings need history, so none are reported.")
        }
        if spoofed > 0 {
            notes.append("\(spoofed) journal entries claiming to be sshd were written by another program and were ignored.")
        }
        let report = DailyReport(
            period: period, previous: previous, historyStart: firstTime, historyEnd: lastTime, inputs: inputs,
            hosts: hosts, attention: items, health: health, noise: noiseSection(), totals: totals,
            previousTotals: prevTotals, buckets: buckets, bucketLength: bucketLength, notes: notes)
        var r = report
        if r.isQuiet { r.notes.insert("No SSH activity was logged in this period.", at: 0) }
        return r
    }

    static func byCause(_ counts: [Int]) -> [(CauseID, Int)] {
        var out: [(CauseID, Int)] = []
        for c in CauseID.allCases where counts[c.rank] > 0 { out.append((c, counts[c.rank])) }
        out.sort { $0.1 != $1.1 ? $0.1 > $1.1 : $0.0.rank < $1.0.rank }
        return out
    }

    /// The period's drop groups that belong under *Access health* (see `accessHealth`).
    func healthKeys() -> [(key: DropKey, value: (count: Int, first: Int64, last: Int64))] {
        // An address whose login followed a brute force is under *Needs attention*; its failures
        // are not a legitimate user's trouble.
        let attackers = Set(attention.filter { $0.kind == .bruteForceSuccess }.compactMap { $0.address })
        return dropGroups.filter { key, _ in
            guard let user = key.user, history.isKnown(user: user), key.cause != .noTrace else { return false }
            if attackers.contains(key.address) && !key.cause.isOperational { return false }
            return history.usersFrom(key.address) != nil || key.cause.isOperational
        }.map { (key: $0.key, value: $0.value) }
    }

    /// Known users' drops, worded by `explain`: a drop counts when the user logged in somewhere in
    /// the history and either the address is one someone logged in from, or the cause is the
    /// server's or the network's doing (not a stranger's guessing).
    func accessHealth(_ explained: ExplainReport) -> AccessHealth {
        var stories: [DropKey: CauseStory] = [:]
        var headlines: [String: CauseStory] = [:]
        for client in explained.clients {
            guard let address = client.address else { continue }
            if let h = client.headline { headlines[address] = h }
            for c in client.connections {
                guard let cause = c.cause else { continue }
                stories[DropKey(user: c.user, address: address, cause: cause.id)] = cause
            }
        }
        var dropped: [DroppedAccess] = []
        for (key, g) in healthKeys() {
            guard let user = key.user else { continue }
            let info = key.cause.info
            var summary = info.title + "."
            var fix = info.fix
            if let s = stories[key] {
                summary = s.summary
                fix = s.fix
            } else if let h = headlines[key.address], h.id == key.cause {
                summary = h.summary
                fix = h.fix
            }
            dropped.append(DroppedAccess(user: user, address: key.address, cause: key.cause, title: info.title,
                                         summary: summary, fix: fix, count: g.count, first: g.first, last: g.last))
        }
        dropped.sort {
            if $0.cause.rank != $1.cause.rank { return $0.cause.rank < $1.cause.rank }
            if $0.last != $1.last { return $0.last > $1.last }
            return ($0.user ?? "", $0.address) < ($1.user ?? "", $1.address)
        }
        var bans: [KnownBan] = []
        for (ip, b) in periodBans {
            guard let users = history.usersFrom(ip) else { continue }
            let ex = Explainer(window: "", inputs: "")
            bans.append(KnownBan(address: ip, users: users, jail: b.jail, count: b.count, first: b.first,
                                 fix: ex.substitute(CauseID.banned.info.fix, ip: ip, jail: b.jail == "sshguard" ? "sshd" : b.jail, user: nil)))
        }
        bans.sort { $0.first != $1.first ? $0.first < $1.first : $0.address < $1.address }
        return AccessHealth(dropped: dropped, bannedKnown: bans)
    }

    func noiseSection() -> Noise {
        func top(_ cur: [String: Int], _ prev: [String: Int]) -> [Noise.Ranked] {
            cur.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }
                .prefix(options.top)
                .map { Noise.Ranked(name: $0.key, count: $0.value, previous: prev[$0.key] ?? 0) }
        }
        return Noise(failedAuth: current.failed, previousFailedAuth: earlier.failed,
                     invalidUsers: current.invalid, previousInvalidUsers: earlier.invalid,
                     sources: current.sources.count, previousSources: earlier.sources.count,
                     topSources: top(current.sources, earlier.sources), topUsers: top(current.users, earlier.users),
                     bans: current.bans, previousBans: earlier.bans, unbans: current.unbans, previousUnbans: earlier.unbans)
    }
}
