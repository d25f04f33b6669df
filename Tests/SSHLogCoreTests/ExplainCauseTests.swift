import XCTest
@testable import SSHLogCore

/// One case per cause of the taxonomy, each from real sshd / fail2ban / kernel lines (catalog
/// §3–§14, observed on Debian 12 9.2p1 and upstream 10.5p1): the explainer must name the cause,
/// the client, and cite the decisive line with its location.
final class ExplainCauseTests: XCTestCase {
    typealias T = Tagged

    struct Case {
        var cause: CauseID
        var client: String
        var decisive: String
        var events: [TaggedEvent]
    }

    static func numbered(_ es: [TaggedEvent]) -> [TaggedEvent] {
        es.enumerated().map { i, e in
            var e = e
            e.location = SourceLocation(source: "auth.log", line: i + 1)
            return e
        }
    }

    static let a = "203.0.113.9"
    static let later = T.ev("30:00 sshd[1]: Server listening on 0.0.0.0 port 22.", .serverListening, ["laddr": "0.0.0.0", "lport": "22"])

    static let cases: [Case] = [
        Case(cause: .banned, client: a, decisive: "Ban 203.0.113.9", events: [
            T.ev("00:01 sshd[3000]: Failed password for deploy from \(a) port 41000 ssh2", .authFailed, ["user": "deploy", "client": a, "port": "41000", "method": "password"]),
            T.ev("00:02 fail2ban.actions[812]: NOTICE  [sshd] Ban \(a)", .f2bBan, ["jail": "sshd", "client": a]),
        ]),
        Case(cause: .firewall, client: a, decisive: "UFW LIMIT BLOCK", events: [
            T.ev("00:01 kernel: [UFW LIMIT BLOCK] IN=eth0 OUT= MAC=00:00 SRC=\(a) DST=192.0.2.1 LEN=60 TOS=0x00 PREC=0x00 TTL=52 ID=1 DF PROTO=TCP SPT=50000 DPT=22 WINDOW=64240 RES=0x00 SYN URGP=0", .firewallBlock, ["client": a, "port": "50000"]),
        ]),
        Case(cause: .maxstartups, client: a, decisive: "past MaxStartups", events: [
            T.ev("00:01 sshd[700]: drop connection #10 from [\(a)]:53000 on [192.0.2.1]:22 past MaxStartups", .limitDrop, ["client": a, "port": "53000", "laddr": "192.0.2.1", "lport": "22"]),
        ]),
        Case(cause: .penalty, client: a, decisive: "penalty: failed authentication", events: [
            T.ev("00:01 sshd[700]: srclimit_penalise: \(a)/32: activating ipv4 penalty of 16.668 seconds for penalty: failed authentication", .penalty, ["client": "\(a)/32", "seconds": "16.668"]),
            T.ev("00:02 sshd[700]: drop connection #0 from [\(a)]:53001 on [192.0.2.1]:22 penalty: failed authentication", .penaltyDrop, ["client": a, "port": "53001", "laddr": "192.0.2.1", "lport": "22", "reason": "penalty: failed authentication"]),
        ]),
        Case(cause: .tcpWrappers, client: a, decisive: "refused connect from", events: [
            T.ev("00:01 sshd[3100]: refused connect from \(a) (\(a))", .tcpwrapRefused, ["client": a]),
        ]),
        Case(cause: .userNotAllowed, client: a, decisive: "not listed in AllowUsers", events: [
            T.ev("00:01 sshd[3200]: User deploy from \(a) not allowed because not listed in AllowUsers", .authNotAllowed, ["user": "deploy", "client": a, "reason": "not listed in AllowUsers"]),
            T.ev("00:03 sshd[3200]: Connection closed by invalid user deploy \(a) port 41002 [preauth]", .connClosed, ["user": "deploy", "invalid": "yes", "client": a, "port": "41002"]),
        ]),
        Case(cause: .kexMismatch, client: a, decisive: "Unable to negotiate", events: [
            T.ev("00:01 sshd[3300]: Unable to negotiate with \(a) port 41003: no matching key exchange method found. Their offer: diffie-hellman-group1-sha1 [preauth]", .kexNoMatch,
                 ["client": a, "port": "41003", "what": "key exchange method", "offer": "diffie-hellman-group1-sha1"]),
        ]),
        Case(cause: .tooManyAuthFailures, client: a, decisive: "maximum authentication attempts exceeded", events: [
            T.ev("00:01 sshd[3400]: error: maximum authentication attempts exceeded for root from \(a) port 41004 ssh2 [preauth]", .authMaxTries, ["user": "root", "client": a, "port": "41004"]),
            T.ev("00:01 sshd[3400]: Disconnecting authenticating user root \(a) port 41004: Too many authentication failures [preauth]", .discSent,
                 ["user": "root", "client": a, "port": "41004", "reason": "Too many authentication failures"]),
        ]),
        Case(cause: .noAuthMethods, client: a, decisive: ":14: No supported authentication methods available", events: [
            T.ev("00:01 sshd[3500]: error: Received disconnect from \(a) port 41005:14: No supported authentication methods available [preauth]", .discReceived,
                 ["client": a, "port": "41005", "code": "14", "reason": "No supported authentication methods available"]),
            T.ev("00:01 sshd[3500]: Disconnected from authenticating user alice \(a) port 41005 [preauth]", .connDisconnected, ["user": "alice", "client": a, "port": "41005"]),
        ]),
        Case(cause: .loginGraceTimeout, client: a, decisive: "Connection from", events: [
            T.ev("00:01 sshd[3600]: Connection from \(a) port 41006 on 192.0.2.1 port 22 rdomain \"\"", .connOpen, ["client": a, "port": "41006", "laddr": "192.0.2.1", "lport": "22"]),
            later,
        ]),
        Case(cause: .idleTimeout, client: a, decisive: "Timeout, client not responding", events: [
            T.ev("00:01 sshd[3700]: Accepted publickey for alice from \(a) port 41007 ssh2: ED25519 SHA256:x", .authAccepted, ["user": "alice", "client": a, "port": "41007", "method": "publickey"]),
            T.ev("20:00 sshd[3711]: Timeout, client not responding from user alice \(a) port 41007", .sessionAliveTimeout, ["user": "alice", "client": a, "port": "41007"]),
            T.ev("20:00 sshd[3700]: pam_unix(sshd:session): session closed for user alice", .sessionClosed, ["user": "alice"]),
        ]),
        Case(cause: .networkReset, client: a, decisive: "Connection reset by peer", events: [
            T.ev("00:01 sshd-session[3800]: Accepted password for alice from \(a) port 41008 ssh2", .authAccepted, ["user": "alice", "client": a, "port": "41008", "method": "password"]),
            T.ev("05:00 sshd-session[3811]: Read error from remote host \(a) port 41008: Connection reset by peer", .connReadError, ["client": a, "port": "41008", "reason": "Connection reset by peer"]),
        ]),
        Case(cause: .packetCorruption, client: a, decisive: "Corrupted MAC on input.", events: [
            T.ev("00:01 sshd[3900]: Accepted password for alice from \(a) port 41009 ssh2", .authAccepted, ["user": "alice", "client": a, "port": "41009", "method": "password"]),
            T.ev("03:00 sshd[3900]: Corrupted MAC on input.", .packetCorrupt),
            T.ev("03:00 sshd[3900]: ssh_dispatch_run_fatal: Connection from user alice \(a) port 41009: message authentication code incorrect", .packetError,
                 ["user": "alice", "client": a, "port": "41009", "reason": "message authentication code incorrect"]),
        ]),
        Case(cause: .clientVanished, client: a, decisive: "Connection closed by", events: [
            T.ev("00:01 sshd-session[4000]: Accepted password for alice from \(a) port 41010 ssh2", .authAccepted, ["user": "alice", "client": a, "port": "41010", "method": "password"]),
            T.ev("04:00 sshd-session[4011]: Connection closed by \(a) port 41010", .connClosed, ["client": a, "port": "41010"]),
        ]),
        Case(cause: .serverRestart, client: a, decisive: "mm_reap: child terminated by signal 15", events: [
            T.ev("00:01 sshd-session[4100]: Accepted password for alice from \(a) port 41011 ssh2", .authAccepted, ["user": "alice", "client": a, "port": "41011", "method": "password"]),
            T.ev("04:00 sshd[700]: Received signal 15; terminating.", .serverTerminating, ["signal": "15"]),
            T.ev("04:00 sshd-session[4100]: error: mm_reap: child terminated by signal 15", .serverChildCrash, ["signal": "15"]),
        ]),
        Case(cause: .serverResource, client: a, decisive: "killed by signal 11", events: [
            T.ev("00:01 sshd-session[4200]: Connection from \(a) port 41012 on 192.0.2.1 port 22 rdomain \"\"", .connOpen, ["client": a, "port": "41012"]),
            T.ev("00:02 sshd[700]: error: session process 4200 for connection from \(a) to 192.0.2.1 killed by signal 11", .serverChildCrash, ["client": a, "pid": "4200", "signal": "11"]),
        ]),
        Case(cause: .slowDNS, client: a, decisive: "reverse mapping checking getaddrinfo", events: [
            T.ev("00:01 sshd[4300]: reverse mapping checking getaddrinfo for ns.example.com [\(a)] failed - POSSIBLE BREAK-IN ATTEMPT!", .dnsMismatch, ["client": a]),
            later,
        ]),
        Case(cause: .authFailed, client: a, decisive: "Failed password for deploy", events: [
            T.ev("00:01 sshd[4400]: Failed password for deploy from \(a) port 41014 ssh2", .authFailed, ["user": "deploy", "client": a, "port": "41014", "method": "password"]),
            T.ev("00:05 sshd[4400]: Connection closed by authenticating user deploy \(a) port 41014 [preauth]", .connClosed, ["user": "deploy", "client": a, "port": "41014"]),
        ]),
        Case(cause: .invalidUser, client: a, decisive: "Invalid user oracle", events: [
            T.ev("00:01 sshd[4500]: Invalid user oracle from \(a) port 41015", .authInvalidUser, ["user": "oracle", "client": a, "port": "41015"]),
            T.ev("00:01 sshd[4500]: Received disconnect from \(a) port 41015:11: Bye Bye [preauth]", .discReceived, ["client": a, "port": "41015", "code": "11", "reason": "Bye Bye"]),
        ]),
        Case(cause: .clientGaveUp, client: a, decisive: "Connection closed by authenticating user root", events: [
            T.ev("00:01 sshd[4600]: Connection closed by authenticating user root \(a) port 41016 [preauth]", .connClosed, ["user": "root", "client": a, "port": "41016"]),
        ]),
        Case(cause: .bannerFailure, client: a, decisive: "invalid format", events: [
            T.ev("00:01 sshd[4700]: banner exchange: Connection from \(a) port 41017: invalid format", .bannerBad, ["client": a, "port": "41017", "reason": "invalid format"]),
        ]),
        Case(cause: .unknown, client: a, decisive: "session closed for user bob", events: [
            T.ev("00:01 sshd[4800]: Accepted password for bob from \(a) port 41018 ssh2", .authAccepted, ["user": "bob", "client": a, "port": "41018", "method": "password"]),
            T.ev("09:00 sshd[4800]: pam_unix(sshd:session): session closed for user bob", .sessionClosed, ["user": "bob"]),
        ]),
        Case(cause: .cleanDisconnect, client: a, decisive: "disconnected by user", events: [
            T.ev("00:01 sshd[4900]: Accepted publickey for alice from \(a) port 41019 ssh2: ED25519 SHA256:x", .authAccepted, ["user": "alice", "client": a, "port": "41019", "method": "publickey"]),
            T.ev("02:00 sshd[4911]: Received disconnect from \(a) port 41019:11: disconnected by user", .discReceived, ["client": a, "port": "41019", "code": "11", "reason": "disconnected by user"]),
            T.ev("02:00 sshd[4911]: Disconnected from user alice \(a) port 41019", .connDisconnected, ["user": "alice", "client": a, "port": "41019"]),
        ]),
    ]

    func report(_ events: [TaggedEvent], client: String? = nil, user: String? = nil) -> ExplainReport {
        var o = Correlator.Options()
        o.client = client
        o.user = user
        let r = T.correlate(ExplainCauseTests.numbered(events), options: o)
        return Explainer(window: "test", inputs: "auth.log", client: client, user: user).report(r)
    }

    func testEveryCauseFromRealLines() {
        var covered = Set<CauseID>()
        for c in ExplainCauseTests.cases {
            let r = report(c.events)
            guard let story = r.clients.first(where: { $0.address == c.client }) else {
                XCTFail("\(c.cause): no story for \(c.client)"); continue
            }
            XCTAssertEqual(story.causes.first, c.cause, "\(c.cause): causes \(story.causes)")
            XCTAssertEqual(story.headline?.id, c.cause, "\(c.cause)")
            let evidence = story.connections.flatMap(\.evidence) + story.bans.flatMap(\.evidence) + story.firewallEvidence
            let hit = evidence.first { $0.text.contains(c.decisive) }
            XCTAssertNotNil(hit, "\(c.cause): decisive line '\(c.decisive)' not cited")
            XCTAssertTrue(hit?.location.hasPrefix("auth.log:") ?? false, "\(c.cause): evidence without location")
            XCTAssertFalse(story.headline?.fix.isEmpty ?? true)
            covered.insert(c.cause)
        }
        // no-trace is the remaining one: a --client with nothing.
        let nt = report(ExplainCauseTests.cases[0].events, client: "198.51.100.250")
        XCTAssertEqual(nt.clients.first?.address, "198.51.100.250")
        XCTAssertEqual(nt.clients.first?.causes, [.noTrace])
        XCTAssertTrue(nt.clients.first?.headline?.fix.contains("tcpdump") ?? false)
        covered.insert(.noTrace)
        XCTAssertEqual(covered, Set(CauseID.allCases), "missing: \(Set(CauseID.allCases).subtracting(covered))")
    }

    func testBanFixNamesJailAndAddress() {
        let r = report(ExplainCauseTests.cases[0].events)
        let fix = r.clients[0].headline!.fix
        XCTAssertTrue(fix.contains("fail2ban-client set sshd unbanip 203.0.113.9"), fix)
    }

    func testKexMismatchQuotesTheOfferAndScopedOverride() {
        let c = ExplainCauseTests.cases.first { $0.cause == .kexMismatch }!
        let h = report(c.events).clients[0].headline!
        XCTAssertTrue(h.summary.contains("diffie-hellman-group1-sha1"))
        XCTAssertTrue(h.fix.contains("ssh -oKexAlgorithms=+"))
        XCTAssertTrue(h.fix.contains("upgrade"))
    }

    func testMaxStartupsFixExplainsStartRateFull() {
        let c = ExplainCauseTests.cases.first { $0.cause == .maxstartups }!
        let fix = report(c.events).clients[0].headline!.fix
        XCTAssertTrue(fix.contains("10:30:100"))
        XCTAssertTrue(fix.contains("sshd -t && systemctl reload ssh"))
    }

    func testAbsenceIsNeverCertain() {
        for cause in [CauseID.loginGraceTimeout, .slowDNS, .unknown] {
            let c = ExplainCauseTests.cases.first { $0.cause == cause }!
            let h = report(c.events).clients[0].headline!
            XCTAssertNotEqual(h.confidence, .high, "\(cause) inferred from absence must not be high")
            XCTAssertFalse(h.alternatives.isEmpty, "\(cause) must name alternatives")
            XCTAssertFalse(h.settle.isEmpty)
        }
    }

    func testEmptyWindowSaysSo() {
        let r = report([])
        XCTAssertTrue(r.clients.isEmpty)
        XCTAssertTrue(r.notes.contains { $0.hasPrefix("Nothing in this window") })
    }

    /// A brute-force flood from many addresses, some of it against the same user name, and one
    /// legitimate user who logged in earlier and is then dropped: that user's story comes first,
    /// overall and under --user.
    func testLegitimateUserFirstInFlood() {
        var events: [TaggedEvent] = []
        let legit = "198.51.100.44"
        events.append(T.ev("00:00 sshd[100]: Accepted publickey for deploy from \(legit) port 50100 ssh2: ED25519 SHA256:k", .authAccepted,
                           ["user": "deploy", "client": legit, "port": "50100", "method": "publickey"]))
        var pid: Int32 = 2000
        for i in 0..<3000 {
            let ip = "192.0.2.\(i % 250)"
            let user = i % 7 == 0 ? "deploy" : "admin\(i % 13)"
            let m = (i / 60) % 60, s = i % 60
            let clock = String(format: "%02d:%02d", m, s)
            pid += 1
            if user == "deploy" {
                events.append(T.ev("\(clock) sshd[\(pid)]: Failed password for deploy from \(ip) port \(30000 + i) ssh2", .authFailed,
                                   ["user": "deploy", "client": ip, "port": "\(30000 + i)", "method": "password"]))
            } else {
                events.append(T.ev("\(clock) sshd[\(pid)]: Invalid user \(user) from \(ip) port \(30000 + i)", .authInvalidUser,
                                   ["user": user, "client": ip, "port": "\(30000 + i)"]))
            }
            events.append(T.ev("\(clock) sshd[\(pid)]: Connection closed by \(user == "deploy" ? "authenticating" : "invalid") user \(user) \(ip) port \(30000 + i) [preauth]", .connClosed,
                               ["user": user, "client": ip, "port": "\(30000 + i)", "invalid": user == "deploy" ? "no" : "yes"]))
        }
        events.append(T.ev("49:00 sshd[111]: Timeout, client not responding from user deploy \(legit) port 50100", .sessionAliveTimeout,
                           ["user": "deploy", "client": legit, "port": "50100"]))
        events.sort { $0.time < $1.time }
        for user in [nil, "deploy"] as [String?] {
            let r = report(events, user: user)
            XCTAssertEqual(r.clients.first?.address, legit, "user filter \(user ?? "none")")
            XCTAssertEqual(r.clients.first?.causes.first, .idleTimeout)
            XCTAssertGreaterThan(r.summary.clients, 100)
        }
        let r = report(events)
        XCTAssertEqual(r.clients.count, 20, "default limit")
        XCTAssertGreaterThan(r.moreClients, 200)
    }
}
