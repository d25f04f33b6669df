/// Why one connection ended: a cause from the taxonomy, how sure, what else it could be, and
/// which of its lines decided it.
///
/// Small and fixed-size, so that millions of folded connections cost nothing extra; the
/// sentences shown to the user are built only for the connections a report shows
/// (`Diagnosis.summary(for:)`).
public struct Diagnosis: Sendable, Equatable {
    public var cause: CauseID
    public var confidence: Confidence
    public var endedBy: EndedBy
    /// Other causes the same lines are consistent with, in taxonomy order. Stored as a bit set
    /// (one bit per `CauseID.rank`), so a diagnosis allocates nothing.
    public var alternatives: [CauseID] {
        CauseID.allCases.filter { alternativeBits & (1 << UInt32($0.rank)) != 0 }
    }
    var alternativeBits: UInt32
    /// For `unknown`: the most likely cause, if one stands out.
    public var likely: CauseID?

    public init(_ cause: CauseID, _ confidence: Confidence, endedBy: EndedBy,
                alternatives: [CauseID] = [], likely: CauseID? = nil) {
        self.cause = cause
        self.confidence = confidence
        self.endedBy = endedBy
        var bits: UInt32 = 0
        for a in alternatives { bits |= 1 << UInt32(a.rank) }
        self.alternativeBits = bits
        self.likely = likely
    }
}

/// What the diagnosis of one connection may look at besides its own lines.
struct DiagnosisContext {
    /// The time of the last record in the data: how long the log went on after the connection.
    var dataEnd: Int64
    /// LoginGraceTime when reasoning from absence (sshd_config's, else sshd's default 120 s).
    var loginGraceTime: Int64 = 120_000_000
}

/// Turns a finished connection's lines into a `Diagnosis`. Rules are in docs/causes.md; the
/// first rule whose decisive line is present wins, and absence is reasoned about last.
enum Diagnoser {
    static let refusals = KindSet.of([.authNotAllowed, .authRootRefused, .authAccountDenied, .authProhibited])
    static let idleEndings = KindSet.of([.sessionAliveTimeout, .sessionInactive])

    static func diagnose(_ c: Connection, _ ctx: DiagnosisContext) -> Diagnosis {
        let k = c.kinds
        let end = c.endingFacts
        let preauth = !c.accepted

        // Refusals by the listener, the firewall and libwrap: the connection never got further.
        if k.contains(.limitDrop) { return Diagnosis(.maxstartups, .high, endedBy: .server) }
        if k.contains(.penaltyDrop) { return Diagnosis(.penalty, .high, endedBy: .server) }
        if k.contains(.firewallBlock) { return Diagnosis(.firewall, .high, endedBy: .server) }
        if k.contains(.tcpwrapRefused) { return Diagnosis(.tcpWrappers, .high, endedBy: .server) }

        // Server policy refused the user.
        if k.intersects(Diagnoser.refusals) {
            return Diagnosis(.userNotAllowed, .high, endedBy: .server)
        }
        if k.contains(.kexNoMatch) { return Diagnosis(.kexMismatch, .high, endedBy: .server) }
        if k.contains(.authMaxTries) || (end?.kind == .discSent && mentionsEnding(c, Diagnoser.tooManyAuthFailures)) {
            return Diagnosis(.tooManyAuthFailures, .high, endedBy: .server)
        }
        if preauth, let e = end, e.kind == .discReceived, e.code == 14
            || mentionsEnding(c, Diagnoser.noSupportedMethods) || mentionsEnding(c, Diagnoser.noMoreMethods) {
            return Diagnosis(.noAuthMethods, .high, endedBy: .client,
                             alternatives: c.failures > 0 ? [c.userExists == false ? .invalidUser : .authFailed] : [])
        }
        if k.intersects(Diagnoser.idleEndings) {
            return Diagnosis(.idleTimeout, .high, endedBy: .server,
                             alternatives: c.bannedAt != nil ? [.banned, .networkReset] : [.networkReset])
        }
        if k.contains(.authGraceTimeout) {
            if c.bannedAt != nil {
                // 9.8+ logs the grace timeout also for connections a firewall ban cut off mid-way.
                return Diagnosis(.banned, .medium, endedBy: .network, alternatives: [.loginGraceTimeout])
            }
            return Diagnosis(.loginGraceTimeout, .high, endedBy: .server,
                             alternatives: k.contains(.dnsMismatch) ? [.slowDNS] : [])
        }
        if k.contains(.packetCorrupt) || (end.map { isCorruption($0, c) } ?? false) {
            return Diagnosis(.packetCorruption, k.contains(.packetCorrupt) ? .high : .medium, endedBy: .network,
                             alternatives: [.networkReset])
        }
        if let e = end, e.kind == .serverChildCrash {
            if e.signal == 15 || mentionsEnding(c, Diagnoser.signal15) {
                return Diagnosis(.serverRestart, .high, endedBy: .server)
            }
            return Diagnosis(.serverResource, .medium, endedBy: .server)
        }
        if k.contains(.serverResource) { return Diagnosis(.serverResource, .high, endedBy: .server) }

        if let e = end {
            switch e.kind {
            case .bannerNone, .bannerBad, .bannerError:
                return Diagnosis(.bannerFailure, .high, endedBy: e.kind == .bannerError ? .network : .client,
                                 alternatives: c.duringThrottling ? [.maxstartups] : [])
            case .connReset, .connReadError, .connWriteFailed, .connTimedOut:
                if let b = c.bannedAt, b <= e.time {
                    return Diagnosis(.banned, .medium, endedBy: .network, alternatives: [.networkReset])
                }
                if c.stage <= .banner && !c.accepted {
                    return Diagnosis(.bannerFailure, .medium, endedBy: .network, alternatives: [.networkReset])
                }
                return Diagnosis(.networkReset, .high, endedBy: .network,
                                 alternatives: c.accepted ? [.clientVanished] : [.clientGaveUp])
            case .packetError:
                if isNetworkError(c) {
                    return Diagnosis(.networkReset, .high, endedBy: .network)
                }
                if c.stage <= .kex && !c.accepted {
                    return Diagnosis(.bannerFailure, .medium, endedBy: .client, alternatives: [.kexMismatch])
                }
                return Diagnosis(.unknown, .low, endedBy: .server, alternatives: [.packetCorruption, .networkReset])
            default:
                break
            }
        }

        // Client-side endings.
        if c.accepted {
            if let e = end {
                switch e.kind {
                case .discReceived:
                    if e.code == nil || e.code == 11 {
                        return Diagnosis(.cleanDisconnect, .high, endedBy: .client)
                    }
                    return Diagnosis(.clientVanished, .medium, endedBy: .client, alternatives: [.networkReset])
                case .connDisconnected:
                    return Diagnosis(.cleanDisconnect, .high, endedBy: .client)
                case .connClosed:
                    if let b = c.bannedAt, b <= e.time {
                        return Diagnosis(.banned, .medium, endedBy: .network, alternatives: [.clientVanished])
                    }
                    return Diagnosis(.clientVanished, .medium, endedBy: .client,
                                     alternatives: [.cleanDisconnect, .networkReset])
                case .discSent:
                    return Diagnosis(.unknown, .medium, endedBy: .server, alternatives: [.packetCorruption])
                default:
                    break
                }
            }
            return absencePostAuth(c, ctx)
        }

        if let e = end, e.kind == .connClosed || e.kind == .discReceived || e.kind == .connDisconnected {
            if c.failures > 0 || k.contains(.authInvalidUser) {
                if let b = c.bannedAt, b <= e.time + 2_000_000 {
                    return Diagnosis(.banned, .medium, endedBy: .client,
                                     alternatives: [c.userExists == false ? .invalidUser : .authFailed])
                }
                return Diagnosis(c.userExists == false ? .invalidUser : .authFailed, .high, endedBy: .client)
            }
            if c.stage <= .kex && !k.contains(.connOpen) && c.userList.isEmpty && e.kind == .connClosed {
                // A close with nothing before it: a scanner or a client that never spoke SSH.
                return Diagnosis(.clientGaveUp, .medium, endedBy: .client, alternatives: [.bannerFailure])
            }
            return Diagnosis(.clientGaveUp, c.userList.isEmpty ? .medium : .high, endedBy: .client,
                             alternatives: c.userList.isEmpty ? [.bannerFailure] : [.authFailed])
        }
        if let e = end, e.kind == .discSent {
            return Diagnosis(.unknown, .medium, endedBy: .server, alternatives: [.kexMismatch, .packetCorruption])
        }
        return absencePreAuth(c, ctx)
    }

    /// No ending line before authentication completed.
    static func absencePreAuth(_ c: Connection, _ ctx: DiagnosisContext) -> Diagnosis {
        if let b = c.bannedAt {
            _ = b
            return Diagnosis(.banned, .medium, endedBy: .server,
                             alternatives: [.loginGraceTimeout, .networkReset])
        }
        // A restart explains a pre-auth connection only if LoginGraceTime had not already ended it.
        if let r = c.restartAt, r >= c.end, r - c.start < ctx.loginGraceTime {
            return Diagnosis(.serverRestart, .low, endedBy: .server, alternatives: [.loginGraceTimeout, .unknown])
        }
        let quietAfter = ctx.dataEnd - c.end
        if c.kinds.contains(.dnsMismatch) {
            return Diagnosis(.slowDNS, .low, endedBy: .server, alternatives: [.loginGraceTimeout, .clientGaveUp])
        }
        if quietAfter >= ctx.loginGraceTime {
            // Patched 8.5–9.7 builds (Debian 12, Ubuntu, RHEL 9) and 7.4–8.4 log nothing when
            // LoginGraceTime expires: a connection that just stops is what that looks like.
            // Medium only when nothing happened after the TCP/banner stage: a client that was
            // answering prompts and then went silent is as likely cut off (ban, network).
            return Diagnosis(.loginGraceTimeout, c.failures == 0 && c.stage < .auth ? .medium : .low, endedBy: .server,
                             alternatives: c.failures > 0 ? [.banned, .networkReset, .clientGaveUp]
                                                          : [.networkReset, .clientGaveUp])
        }
        return Diagnosis(.unknown, .low, endedBy: .unknown,
                         alternatives: [.loginGraceTimeout, .networkReset, .clientGaveUp], likely: .loginGraceTimeout)
    }

    /// An authenticated connection with no ending line: at LogLevel INFO sshd ≤ 9.7 writes the
    /// same lines for a clean PuTTY logout, a killed client and a network reset.
    static func absencePostAuth(_ c: Connection, _ ctx: DiagnosisContext) -> Diagnosis {
        if let b = c.bannedAt {
            _ = b
            return Diagnosis(.banned, .medium, endedBy: .network, alternatives: [.clientVanished, .networkReset])
        }
        if let r = c.restartAt, r >= c.start {
            return Diagnosis(.serverRestart, c.sessionClosed ? .medium : .low, endedBy: .server,
                             alternatives: [.clientVanished])
        }
        return Diagnosis(.unknown, .low, endedBy: .unknown,
                         alternatives: [.clientVanished, .cleanDisconnect, .networkReset], likely: .clientVanished)
    }

    /// Whether the ending line of `c` (its reason field, else its text) contains `needle`.
    static func mentionsEnding(_ c: Connection, _ needle: FoldedNeedle) -> Bool {
        guard c.endingFacts != nil else { return false }
        return (c.endingMessage ?? []).withUnsafeBufferPointer { mentions(reason: c.endingReason, message: $0, needle) }
    }

    /// `message` is the line's bytes as logged (the needles are ASCII, so invalid UTF-8 in it
    /// cannot change the answer).
    static func mentions(reason: String?, message: UnsafeBufferPointer<UInt8>, _ needle: FoldedNeedle) -> Bool {
        if let r = reason, needle.isFound(in: r) { return true }
        return needle.isFound(in: message)
    }

    static let tooManyAuthFailures = FoldedNeedle("too many authentication failures")
    static let noSupportedMethods = FoldedNeedle("no supported authentication methods")
    static let noMoreMethods = FoldedNeedle("no more user authentication methods")
    static let signal15 = FoldedNeedle("signal 15")
    static let corruptions = [FoldedNeedle("message authentication code incorrect"), FoldedNeedle("corrupt"),
                              FoldedNeedle("bad packet length"), FoldedNeedle("padding error")]
    static let networkErrors = [FoldedNeedle("connection reset"), FoldedNeedle("broken pipe"), FoldedNeedle("timed out"),
                                FoldedNeedle("no route to host"), FoldedNeedle("network is unreachable")]

    static func isCorruption(_ e: EndingFacts, _ c: Connection) -> Bool {
        guard e.kind == .packetError || e.kind == .discSent else { return false }
        for n in corruptions where mentionsEnding(c, n) { return true }
        return false
    }

    static func isNetworkError(_ e: TaggedEvent, _ f: EventFields) -> Bool {
        let reason = f.reason
        return e.withMessage { m in networkErrors.contains { mentions(reason: reason, message: m, $0) } }
    }

    /// Whether the ending line of `c` names a network error.
    static func isNetworkError(_ c: Connection) -> Bool {
        for n in networkErrors where mentionsEnding(c, n) { return true }
        return false
    }

    /// Words the correlator looks for in a line's text (firewall rate limits, banner probes).
    static let limitWord = FoldedNeedle("limit")
    static let identificationWord = FoldedNeedle("identif")
}

/// A lower-case ASCII needle for case-insensitive search (ASCII letters of the text folded), with
/// its Horspool shift table: a search looks at about one byte in `count` of the text instead of
/// every byte.
struct FoldedNeedle: Sendable {
    let bytes: [UInt8]
    /// Shift for each (folded) text byte under the needle's last position.
    let shift: [UInt8]

    init(_ needle: StaticString) {
        var b: [UInt8] = []
        needle.withUTF8Buffer { b = Array($0) }
        precondition(!b.isEmpty && b.count < 256 && b.allSatisfy { !($0 >= 65 && $0 <= 90) },
                     "needles are non-empty lower-case ASCII")
        bytes = b
        var t = [UInt8](repeating: UInt8(b.count), count: 256)
        for j in 0..<(b.count - 1) { t[Int(b[j])] = UInt8(b.count - 1 - j) }
        shift = t
    }

    @inline(__always) static func fold(_ b: UInt8) -> UInt8 { b >= 65 && b <= 90 ? b + 32 : b }

    func isFound(in hay: [UInt8]) -> Bool {
        hay.withUnsafeBufferPointer { isFound(in: $0) }
    }

    func isFound(in hay: String) -> Bool {
        hay.utf8.withContiguousStorageIfAvailable { isFound(in: $0) }
            ?? Array(hay.utf8).withUnsafeBufferPointer { isFound(in: $0) }
    }

    func isFound(in h: UnsafeBufferPointer<UInt8>) -> Bool {
        let m = bytes.count
        if h.count < m { return false }
        return bytes.withUnsafeBufferPointer { n in
            shift.withUnsafeBufferPointer { t in
                let last = n[m - 1]
                var i = 0
                while i + m <= h.count {
                    let b = FoldedNeedle.fold(h[i + m - 1])
                    if b == last {
                        var j = 0
                        while j < m - 1 && FoldedNeedle.fold(h[i + j]) == n[j] { j += 1 }
                        if j == m - 1 { return true }
                    }
                    i += Int(t[Int(b)])
                }
                return false
            }
        }
    }
}
