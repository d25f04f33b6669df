import XCTest
@testable import SSHLogCore

/// Correlation on tagged events built from real sshd lines (see `Tagged`).
final class CorrelatorTests: XCTestCase {
    typealias T = Tagged

    /// A normal OpenSSH session at LogLevel INFO (Debian 12): monitor 1200, post-auth child 1215,
    /// linked only by the (address, port) pair both print.
    func testPostAuthChildJoinsMonitorByAddressAndPort() {
        let r = T.correlate([
            T.ev("00:01 sshd[1200]: Accepted publickey for alice from 198.51.100.7 port 51234 ssh2: ED25519 SHA256:abc", .authAccepted,
                 ["user": "alice", "client": "198.51.100.7", "port": "51234", "method": "publickey"]),
            T.ev("00:01 sshd[1200]: pam_unix(sshd:session): session opened for user alice(uid=1000) by (uid=0)", .sessionOpened, ["user": "alice"]),
            T.ev("00:02 systemd-logind[400]: New session 7 of user alice.", .logindNew, ["session": "7", "user": "alice"]),
            T.ev("05:00 sshd[1215]: Received disconnect from 198.51.100.7 port 51234:11: disconnected by user", .discReceived,
                 ["client": "198.51.100.7", "port": "51234", "code": "11", "reason": "disconnected by user"]),
            T.ev("05:00 sshd[1215]: Disconnected from user alice 198.51.100.7 port 51234", .connDisconnected,
                 ["user": "alice", "client": "198.51.100.7", "port": "51234"]),
            T.ev("05:00 sshd[1200]: pam_unix(sshd:session): session closed for user alice", .sessionClosed, ["user": "alice"]),
            T.ev("05:00 systemd-logind[400]: Session 7 logged out. Waiting for processes to exit.", .logindLogout, ["session": "7"]),
        ])
        let c = try! XCTUnwrap(T.client(r, "198.51.100.7"))
        XCTAssertEqual(c.connectionCount, 1)
        let conn = c.connections[0]
        XCTAssertEqual(conn.childPid, 1215)
        XCTAssertEqual(conn.stage, .session)
        XCTAssertEqual(conn.events.count, 7, "PAM and logind lines join the connection")
        XCTAssertEqual(conn.diagnosis?.cause, .cleanDisconnect)
        XCTAssertEqual(conn.diagnosis?.endedBy, .client)
        XCTAssertEqual(c.dropCount, 0)
    }

    /// The same pid serving two connections one after the other (pid reuse).
    func testPidReuseStartsANewConnection() {
        let r = T.correlate([
            T.ev("00:01 sshd[900]: Invalid user admin from 203.0.113.50 port 40000", .authInvalidUser,
                 ["user": "admin", "client": "203.0.113.50", "port": "40000"]),
            T.ev("00:03 sshd[900]: Connection closed by invalid user admin 203.0.113.50 port 40000 [preauth]", .connClosed,
                 ["user": "admin", "invalid": "yes", "client": "203.0.113.50", "port": "40000", "phase": "preauth"]),
            T.ev("00:10 sshd[900]: Invalid user test from 203.0.113.50 port 40010", .authInvalidUser,
                 ["user": "test", "client": "203.0.113.50", "port": "40010"]),
            T.ev("00:12 sshd[900]: Connection closed by invalid user test 203.0.113.50 port 40010 [preauth]", .connClosed,
                 ["user": "test", "invalid": "yes", "client": "203.0.113.50", "port": "40010", "phase": "preauth"]),
        ])
        let c = try! XCTUnwrap(T.client(r, "203.0.113.50"))
        XCTAssertEqual(c.connectionCount, 2)
        XCTAssertEqual(c.count(of: .invalidUser), 2)
        XCTAssertEqual(c.users, ["admin", "test"])
    }

    /// Upstream 10.5: the listener reports LoginGraceTime expiry naming the session pid.
    func testListenerGraceTimeoutJoinsByQuotedPid() {
        let r = T.correlate([
            T.ev("00:00 sshd-session[5001]: Connection from 203.0.113.9 port 50022 on 127.0.0.1 port 2322 rdomain \"\"", .connOpen,
                 ["client": "203.0.113.9", "port": "50022", "laddr": "127.0.0.1", "lport": "2322"]),
            T.ev("02:00 sshd[4000]: Timeout before authentication for connection from 203.0.113.9 to 127.0.0.1, pid = 5001", .authGraceTimeout,
                 ["client": "203.0.113.9", "laddr": "127.0.0.1", "pid": "5001"]),
        ])
        let c = try! XCTUnwrap(T.client(r, "203.0.113.9"))
        XCTAssertEqual(c.connectionCount, 1)
        XCTAssertEqual(c.connections[0].diagnosis?.cause, .loginGraceTimeout)
        XCTAssertEqual(c.connections[0].diagnosis?.confidence, .high)
        XCTAssertEqual(c.connections[0].events.count, 2)
    }

    /// A listener drop is a connection of its own that never reached a monitor.
    func testMaxStartupsDropIsItsOwnConnection() {
        let r = T.correlate([
            T.ev("00:00 sshd[4000]: error: beginning MaxStartups throttling", .limitThrottleBegin),
            T.ev("00:00 sshd[4000]: drop connection #10 from [198.51.100.20]:53000 on [127.0.0.1]:2322 past MaxStartups", .limitDrop,
                 ["client": "198.51.100.20", "port": "53000", "laddr": "127.0.0.1", "lport": "2322"]),
        ])
        let c = try! XCTUnwrap(T.client(r, "198.51.100.20"))
        XCTAssertEqual(c.count(of: .maxstartups), 1)
        XCTAssertEqual(c.connections[0].stage, .tcp)
        XCTAssertTrue(c.connections[0].duringThrottling)
        XCTAssertEqual(r.throttles.count, 1)
    }

    /// Debian 12 at INFO: a connection cut by a fail2ban ban just stops after its last failure.
    func testBanCutsOpenConnection() {
        let ip = "203.0.113.77"
        var lines: [TaggedEvent] = []
        for i in 0..<3 {
            lines.append(T.ev("00:0\(i) sshd[3000]: Failed password for deploy from \(ip) port 41000 ssh2", .authFailed,
                              ["user": "deploy", "client": ip, "port": "41000", "method": "password"]))
        }
        lines.append(T.ev("00:04 fail2ban.actions[812]: NOTICE  [sshd] Ban \(ip)", .f2bBan, ["jail": "sshd", "client": ip]))
        lines.append(T.ev("10:04 fail2ban.actions[812]: NOTICE  [sshd] Unban \(ip)", .f2bUnban, ["jail": "sshd", "client": ip]))
        let r = T.correlate(lines)
        let c = try! XCTUnwrap(T.client(r, ip))
        XCTAssertEqual(c.bans.count, 1)
        XCTAssertNotNil(c.bans[0].end)
        XCTAssertEqual(c.connections[0].diagnosis?.cause, .banned)
        XCTAssertEqual(c.connections[0].failures, 3)
        XCTAssertEqual(c.causes.first, .banned)
    }

    /// At INFO on sshd ≤ 9.7 a post-auth ending leaves only the PAM session close: reason from
    /// absence, never as a certainty.
    func testSilentPostAuthEndIsUnknownWithLikelyCause() {
        let r = T.correlate([
            T.ev("00:01 sshd[1300]: Accepted password for bob from 198.51.100.8 port 60000 ssh2", .authAccepted,
                 ["user": "bob", "client": "198.51.100.8", "port": "60000", "method": "password"]),
            T.ev("00:01 sshd[1300]: pam_unix(sshd:session): session opened for user bob(uid=1001) by (uid=0)", .sessionOpened, ["user": "bob"]),
            T.ev("09:00 sshd[1300]: pam_unix(sshd:session): session closed for user bob", .sessionClosed, ["user": "bob"]),
        ])
        let d = try! XCTUnwrap(T.client(r, "198.51.100.8")?.connections.first?.diagnosis)
        XCTAssertEqual(d.cause, .unknown)
        XCTAssertEqual(d.confidence, .low)
        XCTAssertEqual(d.likely, .clientVanished)
        XCTAssertTrue(d.alternatives.contains(.cleanDisconnect))
        XCTAssertTrue(d.alternatives.contains(.networkReset))
    }

    /// A session still running when the data ends is not a drop.
    func testOpenSessionIsNotADrop() {
        let r = T.correlate([
            T.ev("00:01 sshd[1300]: Accepted password for bob from 198.51.100.8 port 60000 ssh2", .authAccepted,
                 ["user": "bob", "client": "198.51.100.8", "port": "60000", "method": "password"]),
        ])
        let c = try! XCTUnwrap(T.client(r, "198.51.100.8"))
        XCTAssertTrue(c.connections[0].stillOpen)
        XCTAssertNil(c.connections[0].diagnosis)
        XCTAssertEqual(c.dropCount, 0)
    }

    /// Memory stays bounded: thousands of connections from one address keep a handful in detail.
    func testFloodFoldsIntoAggregates() {
        let c = Correlator()
        let ip = "192.0.2.66"
        var t = Tagged.base
        for i in 0..<5_000 {
            let pid = Int32(10_000 + i % 300)
            let port = String(30_000 + i)
            var f = EventFields()
            f.user = "user\(i % 50)"; f.client = ip; f.port = 30_000 + i
            c.add(TaggedEvent(time: t, host: "srv", program: "sshd", pid: pid, kind: .authInvalidUser, patternID: "x", fields: f,
                              message: "Invalid user user\(i % 50) from \(ip) port \(port)", location: SourceLocation(source: "a", line: i * 2 + 1)))
            f.invalid = true; f.phase = "preauth"
            c.add(TaggedEvent(time: t + 1_000_000, host: "srv", program: "sshd", pid: pid, kind: .connClosed, patternID: "x", fields: f,
                              message: "Connection closed by invalid user user\(i % 50) \(ip) port \(port) [preauth]",
                              location: SourceLocation(source: "a", line: i * 2 + 2)))
            t += 2_000_000
        }
        let r = c.finish()
        let tl = try! XCTUnwrap(T.client(r, ip))
        XCTAssertEqual(tl.connectionCount, 5_000)
        XCTAssertEqual(tl.count(of: .invalidUser), 5_000)
        XCTAssertLessThanOrEqual(tl.connections.count, Correlator.Options().detailPerClient + Correlator.Options().importantPerClient)
        XCTAssertEqual(tl.users.count, 32, "users tried are capped")
        XCTAssertEqual(Double(tl.moreUsers), 18, accuracy: 2, "estimated distinct names beyond the first 32")
        XCTAssertLessThan(c.table.count, 50, "finished connections leave the pid table")
    }

    func testKindSetHoldsEveryKindSeparately() {
        XCTAssertTrue(KindSet.bitcastWorks, "payload-free enum layout changed: the dictionary fallback is in use")
        for (i, k) in EventKind.allCases.enumerated() {
            var s = KindSet()
            s.insert(k)
            for (j, other) in EventKind.allCases.enumerated() {
                XCTAssertEqual(s.contains(other), i == j, "\(k) vs \(other)")
            }
        }
    }

    func testDistinctUserEstimateStaysClose() {
        let t = ClientTimeline(address: "192.0.2.1")
        for i in 0..<3_032 { t.noteUser("u\(i)"); t.noteUser("u\(i % 100)") }
        XCTAssertEqual(t.users.count, 32)
        XCTAssertEqual(Double(t.moreUsers), 3_000, accuracy: 300)
    }

    func testCauseSlotsCoverEveryCause() {
        XCTAssertEqual(ClientTimeline.causeSlotCount, CauseID.allCases.count,
                       "ClientTimeline's inline per-cause storage must have one slot per CauseID")
        XCTAssertEqual(CauseID.allCases.map(\.rank), Array(0..<CauseID.allCases.count))
    }

    /// The reference for `FoldedNeedle`: the plain ASCII case-insensitive scan the diagnosis used
    /// before (needles are lower-case ASCII).
    static func containsFolded(_ hay: String, _ needle: StaticString) -> Bool {
        var hay = hay
        return hay.withUTF8 { h in
            needle.withUTF8Buffer { n in
                if n.isEmpty { return true }
                if h.count < n.count { return false }
                let first = n[0]
                let firstUpper = first >= 97 && first <= 122 ? first - 32 : first
                var i = 0
                while i + n.count <= h.count {
                    // Skip to the next byte that can start the needle.
                    if h[i] != first && h[i] != firstUpper {
                        i += 1
                        continue
                    }
                    var j = 0
                    while j < n.count {
                        var b = h[i + j]
                        if b >= 65 && b <= 90 { b += 32 }
                        if b != n[j] { break }
                        j += 1
                    }
                    if j == n.count { return true }
                    i += 1
                }
                return false
            }
        }
    }

    /// The Horspool search with case folding finds exactly what a plain folded scan finds,
    /// on real ending lines and on texts built to trip the shift table.
    func testFoldedNeedleMatchesPlainScan() {
        let hays = [
            "Received disconnect from 203.0.113.9 port 50022:11: Bye Bye [preauth]",
            "Received disconnect from 198.51.100.7 port 4122:14: No supported authentication methods available [preauth]",
            "Disconnecting authenticating user root 192.0.2.4 port 3312: Too many authentication failures [preauth]",
            "ssh_dispatch_run_fatal: Connection from 192.0.2.8 port 1022: message authentication code incorrect",
            "Read error from remote host 192.0.2.8 port 1022: Connection reset by peer",
            "Connection from 192.0.2.8 port 1022: BAD PACKET LENGTH 1349676916.",
            "Timeout, server 192.0.2.8 not responding.", "", "c", "corrupt", "CORRUPT", "xcorrupcorrupt",
            "no more user authentication method", "signal 1 signal 15", "broken  pipe", "Broken pipe",
        ]
        let needles: [(FoldedNeedle, StaticString)] = [
            (FoldedNeedle("too many authentication failures"), "too many authentication failures"),
            (FoldedNeedle("no supported authentication methods"), "no supported authentication methods"),
            (FoldedNeedle("no more user authentication methods"), "no more user authentication methods"),
            (FoldedNeedle("signal 15"), "signal 15"), (FoldedNeedle("corrupt"), "corrupt"),
            (FoldedNeedle("bad packet length"), "bad packet length"), (FoldedNeedle("broken pipe"), "broken pipe"),
            (FoldedNeedle("message authentication code incorrect"), "message authentication code incorrect"),
            (FoldedNeedle("connection reset"), "connection reset"), (FoldedNeedle("c"), "c"),
        ]
        var hits = 0
        for h in hays {
            for (n, text) in needles {
                let expected = Self.containsFolded(h, text)
                XCTAssertEqual(n.isFound(in: h), expected, "\(text) in \(h)")
                if expected { hits += 1 }
            }
        }
        XCTAssertEqual(hits, 21, "the sample texts contain the needles this many times")
    }

    /// A client's short connection lists keep an array's order past their inline slots.
    func testConnectionSlotsKeepOrderPastTheInlineOnes() {
        let names = EvidenceNames()
        let cs = (0..<6).map { Connection(host: "srv", hostID: 0, pid: Int32(100 + $0), time: Int64($0), names: names) }
        var list = ConnectionSlots()
        XCTAssertTrue(list.isEmpty)
        for c in cs { list.append(c) }
        XCTAssertEqual(list.count, 6)
        XCTAssertEqual(list.map(\.pid), [100, 101, 102, 103, 104, 105])
        list[1] = cs[5]
        list[4] = cs[0]
        XCTAssertEqual(list.map(\.pid), [100, 105, 102, 103, 100, 105])
        XCTAssertTrue(list.removeLast() === cs[5])
        XCTAssertTrue(list.removeLast() === cs[0])
        XCTAssertTrue(list.removeLast() === cs[3])
        XCTAssertTrue(list.removeLast() === cs[2])
        XCTAssertEqual(list.map(\.pid), [100, 105])
        list.append(cs[4])
        XCTAssertEqual(list.map(\.pid), [100, 105, 104])
        XCTAssertTrue(Correlator.latest(list, where: { $0.pid != 104 }) === cs[5], "the latest start among the matching")
    }

    /// Evidence lines come back as stored after trimming, and a dropped connection's block is
    /// handed to the next connection.
    func testEvidenceStoreRoundTripsAndReusesBlocks() {
        let names = EvidenceNames()
        var lines: [TaggedEvent] = []
        for i in 0..<12 {
            lines.append(T.ev("00:\(String(format: "%02d", i)) sshd[\(300 + i)]: Failed password for invalid user u\(i) from 192.0.2.\(i) port \(4000 + i) ssh2",
                              .authFailed, file: i % 2 == 0 ? "auth.log" : "auth.log.1", lineNo: i + 1))
        }
        var journal = lines[3]
        journal.location = SourceLocation(source: "journal", line: 0, cursor: "s=ab;i=1f;b=cd;m=99")
        lines[3] = journal
        do {
            let c = Connection(host: "srv", hostID: 0, pid: 300, time: lines[0].time, names: names)
            for e in lines { c.record(e, head: 3, tail: 4) }
            XCTAssertEqual(c.omittedEvents, 5)
            let kept = c.events
            XCTAssertEqual(kept.map(\.message), (Array(lines[0..<3]) + Array(lines[8...])).map(\.message))
            XCTAssertEqual(kept.map(\.location.line), [1, 2, 3, 9, 10, 11, 12])
            XCTAssertEqual(kept.map(\.location.source), ["auth.log", "auth.log.1", "auth.log", "auth.log", "auth.log.1", "auth.log", "auth.log.1"])
            XCTAssertEqual(kept.map(\.pid), [300, 301, 302, 308, 309, 310, 311])
            XCTAssertNil(names.takeBlock(), "the open connection holds the only block")
            c.trimEvidence(head: 1, tail: 1)
            XCTAssertEqual(c.events.map(\.message), [lines[0].message, lines[11].message])
            XCTAssertEqual(c.omittedEvents, 10)
            // Trimmed, its two lines moved to an allocation of their size: the block is spare
            // again at once (for the next connection, while still in cache).
            let spare = names.takeBlock()
            XCTAssertNotNil(spare, "a trimmed connection gives its block back")
            names.giveBack(spare!)
            c.compact()
            XCTAssertEqual(c.events.map(\.message), [lines[0].message, lines[11].message], "compacting again keeps the lines")
            XCTAssertEqual(c.events.map(\.location.line), [1, 12])

            let d = Connection(host: "srv", hostID: 0, pid: 303, time: journal.time, names: names)
            d.record(journal, head: 8, tail: 16)
            XCTAssertEqual(d.events.first?.location.cursor, "s=ab;i=1f;b=cd;m=99")
            XCTAssertEqual(d.events.first?.message, journal.message)
        }
        // Both connections are gone: the block the second one reused waits for the next
        // connection; the trimmed one's own copy was freed.
        let block = names.takeBlock()
        XCTAssertNotNil(block)
        free(block)
        XCTAssertNil(names.takeBlock(), "only the untrimmed connection's block is kept")
        names.stopReusingBlocks()
        do {
            let e = Connection(host: "srv", hostID: 0, pid: 400, time: lines[0].time, names: names)
            e.record(lines[0], head: 8, tail: 16)
        }
        XCTAssertNil(names.takeBlock(), "after the run, dropped connections free their blocks")
    }
}
