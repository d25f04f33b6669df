import XCTest
@testable import SSHLogCore

/// The whole pipeline (ingest → pattern library → correlator → explainer → renderers) on real
/// log text: the fixture (real Debian 12 9.2p1 / fail2ban 1.0.2 line formats, from the catalog),
/// the loghub OpenSSH corpus read in place, and the CLI end to end.
final class ExplainPipelineTests: XCTestCase {
    static let fixtures = TestSupport.repoRoot.appendingPathComponent("Tests/Fixtures/explain")
    static var authLog: String { fixtures.appendingPathComponent("auth.log").path }
    static var f2bLog: String { fixtures.appendingPathComponent("fail2ban.log").path }

    func explain(_ paths: [String], client: String? = nil, user: String? = nil) throws -> ExplainReport {
        let run = try TestSupport.plan(paths)
        var o = Correlator.Options()
        o.client = client
        o.user = user
        let result = ExplainRun.correlate(run, library: PatternLibrary.builtin(), options: o)
        return Explainer(window: run.windowDescription, inputs: run.inputsDescription, client: client, user: user, limit: nil).report(result)
    }

    func story(_ r: ExplainReport, _ address: String) throws -> ClientStory {
        try XCTUnwrap(r.clients.first { $0.address == address }, "no story for \(address)")
    }

    func testFixtureCausesClientsAndEvidence() throws {
        let r = try explain([ExplainPipelineTests.authLog, ExplainPipelineTests.f2bLog])
        let expected: [(String, CauseID, String)] = [
            ("198.51.100.44", .idleTimeout, "Timeout, client not responding from user deploy"),
            ("192.0.2.11", .banned, "[sshd] Ban 192.0.2.11"),
            ("198.51.100.31", .userNotAllowed, "not listed in AllowUsers"),
            ("198.51.100.30", .tooManyAuthFailures, "maximum authentication attempts exceeded"),
            ("198.51.100.20", .maxstartups, "past MaxStartups"),
            ("198.51.100.3", .kexMismatch, "Their offer: diffie-hellman-group1-sha1"),
            ("198.51.100.5", .bannerFailure, "invalid format"),
            ("192.0.2.10", .invalidUser, "Invalid user admin"),
        ]
        for (address, cause, line) in expected {
            let s = try story(r, address)
            XCTAssertEqual(s.causes.first, cause, address)
            let ev = s.connections.flatMap(\.evidence) + s.bans.flatMap(\.evidence)
            let hit = try XCTUnwrap(ev.first { $0.text.contains(line) }, "\(address): '\(line)' not cited")
            XCTAssertTrue(hit.location.contains("/Tests/Fixtures/explain/"), hit.location)
            XCTAssertTrue(hit.location.range(of: #"\.log:\d+$"#, options: .regularExpression) != nil, hit.location)
        }
        // The legitimate user's session: monitor 1200, child 1211, PAM and logind, one connection.
        let legit = try story(r, "198.51.100.44")
        XCTAssertEqual(legit.connections.count, 1)
        XCTAssertEqual(legit.connections[0].childPid, 1211)
        XCTAssertEqual(legit.connections[0].evidence.count, 7)
        XCTAssertEqual(r.clients.first?.address, "198.51.100.44", "a legitimate user's drop comes first")
        // The ban: the failures that led to it, and the connection it cut.
        let banned = try story(r, "192.0.2.11")
        XCTAssertEqual(banned.bans.first?.evidence.filter { $0.kind == "f2b.found" }.count, 3)
        XCTAssertEqual(banned.connections.last?.cause?.id, .banned)
        XCTAssertTrue(banned.headline?.fix.contains("fail2ban-client set sshd unbanip 192.0.2.11") ?? false)
        XCTAssertEqual(r.summary.bans, 1)
    }

    func testUserFilterPutsTheLegitimateUserFirst() throws {
        let r = try explain([ExplainPipelineTests.authLog, ExplainPipelineTests.f2bLog], user: "deploy")
        XCTAssertEqual(r.clients.map { $0.address }, ["198.51.100.44", "192.0.2.11"])
        XCTAssertEqual(r.clients.first?.causes, [.idleTimeout])
    }

    func testClientWithNothingIsNoTrace() throws {
        let r = try explain([ExplainPipelineTests.authLog], client: "203.0.113.250")
        XCTAssertEqual(r.clients.count, 1)
        XCTAssertEqual(r.clients[0].causes, [.noTrace])
        XCTAssertTrue(r.clients[0].headline!.summary.contains("MaxStartups throttling was active"),
                      "the window had throttling: a silent drop is named as possible")
    }

    /// loghub OpenSSH_2k (a real server, 2000 lines, OpenSSH 7.x at INFO).
    func testLoghubCorpus() throws {
        let corpora = try TestSupport.requireCorpora()
        let path = corpora.appendingPathComponent("loghub-openssh/data/OpenSSH_2k.log").path
        let r = try explain([path])
        let counts = Dictionary(uniqueKeysWithValues: r.summary.dropsByCause.map { ($0.0, $0.1) })
        // README counts: 10 "Did not receive identification string"; grep: 3 "Too many authentication failures".
        XCTAssertEqual(counts[.bannerFailure], 10)
        XCTAssertEqual(counts[.tooManyAuthFailures], 3)
        // The one login: the child's old-format "Received disconnect ...: 11: disconnected by user"
        // (no port) joins the session of monitor 24680.
        let fztu = try story(r, "119.137.62.142")
        XCTAssertTrue(fztu.legitimate)
        let session = try XCTUnwrap(fztu.connections.first { $0.user == "fztu" })
        XCTAssertEqual(session.childPid, 24761)
        XCTAssertEqual(session.cause?.id, .cleanDisconnect)
        XCTAssertTrue(session.evidence.contains { $0.location.hasSuffix("OpenSSH_2k.log:964") })
        // The no-more-methods bot.
        let bot = try story(r, "103.99.0.122")
        XCTAssertEqual(bot.causes.first, .noAuthMethods)
        XCTAssertGreaterThan(bot.connectionCount, 40)
    }

    /// The fixture's lines moved (whole seconds, order and gaps kept) so that they end five
    /// minutes before now: the default window, the last hour, then holds all of them whenever the
    /// test runs.
    static func authLogEndingNow() throws -> String {
        let text = try String(contentsOfFile: authLog, encoding: .utf8)
        let lines = text.split(separator: "\n").map(String.init)
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone(identifier: "UTC")
        f.dateFormat = "yyyy-MM-dd'T'HH:mm:ss"
        // Each line starts `2026-11-22T09:00:01.000000+00:00 `: seconds, then the fraction and zone.
        let stamps = try lines.map { try XCTUnwrap(f.date(from: String($0.prefix(19))), $0) }
        let shift = Date().addingTimeInterval(-300).timeIntervalSince(try XCTUnwrap(stamps.last)).rounded(.down)
        let moved = zip(lines, stamps).map { line, t in f.string(from: t.addingTimeInterval(shift)) + line.dropFirst(19) }
        return TestSupport.write(moved.joined(separator: "\n") + "\n", to: TestSupport.tempDir().appendingPathComponent("auth.log")).path
    }

    func testCLITextIsHarmlessAndSaysTheDefaultWindow() throws {
        let res = try TestSupport.sshlog(["explain", try Self.authLogEndingNow()])
        XCTAssertEqual(res.status, 0, res.stderr)
        XCTAssertTrue(res.stdout.contains("last 1h (the default"), res.stdout)
        XCTAssertTrue(res.stdout.contains("198.51.100.44"), "the fixture's clients are in the default window: \(res.stdout)")
        let all = try TestSupport.sshlog(["explain", "--since", "2000-01-01", "--limit", "0", ExplainPipelineTests.authLog])
        XCTAssertTrue(all.stdout.contains("x\\x1b[2J\\x1b]0;pwned\\x07"), "crafted user name shown escaped")
        XCTAssertFalse(all.stdout.utf8.contains(0x1b), "no raw ESC reaches the terminal")
        XCTAssertFalse(all.stdout.utf8.contains(0x07))
        XCTAssertTrue(all.stdout.contains("client SSH-2.0-\\x1b[31mEVIL\\x1b]0;pwned\\x07"), "crafted client version shown escaped")
        let md = try TestSupport.sshlog(["explain", "--since", "2000-01-01", "--limit", "0", "--format", "markdown", ExplainPipelineTests.authLog])
        XCTAssertFalse(md.stdout.utf8.contains(0x1b))
        XCTAssertTrue(md.stdout.contains("## 198.51.100.44"))
    }

    func testCLIJSONAndTimeline() throws {
        let res = try TestSupport.sshlog(["explain", "--since", "2000-01-01", "--format", "json",
                                          ExplainPipelineTests.authLog, ExplainPipelineTests.f2bLog])
        XCTAssertEqual(res.status, 0, res.stderr)
        let obj = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(res.stdout.utf8)) as? [String: Any])
        let clients = try XCTUnwrap(obj["clients"] as? [[String: Any]])
        XCTAssertEqual(clients.first?["address"] as? String, "198.51.100.44")
        XCTAssertEqual(clients.first { $0["address"] as? String == "192.0.2.11" }?["causes"] as? [String], ["banned", "auth-failed"])

        let tl = try TestSupport.sshlog(["timeline", "--since", "2000-01-01", "--client", "192.0.2.11", "--format", "json",
                                         ExplainPipelineTests.authLog, ExplainPipelineTests.f2bLog])
        XCTAssertEqual(tl.status, 0, tl.stderr)
        let t = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(tl.stdout.utf8)) as? [String: Any])
        let entries = try XCTUnwrap(t["entries"] as? [[String: Any]])
        XCTAssertEqual(entries.map { $0["type"] as! String }, ["connection", "connection", "ban"])
        let text = try TestSupport.sshlog(["timeline", "--since", "2000-01-01", "--user", "deploy",
                                           ExplainPipelineTests.authLog, ExplainPipelineTests.f2bLog])
        XCTAssertTrue(text.stdout.contains("session.alive-timeout"), "timeline lines carry their kind")
        XCTAssertTrue(text.stdout.contains("Timeout, client not responding from user deploy"))
    }

    func testEmptyWindowSaysSoPlainly() throws {
        let res = try TestSupport.sshlog(["explain", "--since", "2030-01-01", ExplainPipelineTests.authLog])
        XCTAssertTrue(res.stdout.contains("Nothing in this window") || res.stderr.contains("outside the time window"),
                      res.stdout + res.stderr)
    }

    /// A file the user names but whose lines all lie before the window is said to be outside
    /// it, with the span it holds, whatever its name (it was said to be "no SSH logs on this
    /// machine" when not called auth.log or secure).
    func testNamedFileOutsideTheWindowSaysWhatItHolds() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("sshlog-window-\(getpid())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("bastion-ssh.txt")
        try FileManager.default.copyItem(at: URL(fileURLWithPath: ExplainPipelineTests.authLog), to: file)
        let res = try TestSupport.sshlog(["explain", "--since", "2030-01-01", file.path])
        XCTAssertEqual(res.status, 3, res.stderr)
        XCTAssertTrue(res.stderr.contains("every file lies outside the time window"), res.stderr)
        XCTAssertTrue(res.stderr.contains("the files hold lines from "), res.stderr)
        XCTAssertFalse(res.stderr.contains("no SSH logs on this machine"), res.stderr)
    }

    /// A brute-force flood (Debian 12 line formats, 30 000 connections from 600 addresses, a
    /// seventh of them against `deploy`) around one legitimate `deploy` session that dies by
    /// keepalive timeout: through the whole pipeline, that story comes first overall and under
    /// --user, and memory stays per client (bounded detail), not per line.
    func testFloodWithOneLegitimateUserThroughThePipeline() throws {
        var text = ""
        func stamp(_ s: Int) -> String {
            let h = 9 + s / 3600, m = (s / 60) % 60, sec = s % 60
            return String(format: "2026-11-22T%02d:%02d:%02d.000000+00:00", h, m, sec)
        }
        text += "\(stamp(0)) web1 sshd[1200]: Accepted publickey for deploy from 198.51.100.44 port 50100 ssh2: ED25519 SHA256:Qw1xT3l5\n"
        text += "\(stamp(0)) web1 sshd[1200]: pam_unix(sshd:session): session opened for user deploy(uid=1001) by (uid=0)\n"
        var pid = 3000
        for i in 0..<30_000 {
            let t = 1 + i / 10
            let ip = "192.0.2.\(i % 200)"
            let ip2 = i % 3 == 0 ? "203.0.113.\(i % 250)" : (i % 3 == 1 ? "2001:db8::\(i % 150 + 1)" : ip)
            let port = 30_000 + i % 30_000
            pid += 1
            if i % 7 == 0 {
                text += "\(stamp(t)) web1 sshd[\(pid)]: Failed password for deploy from \(ip2) port \(port) ssh2\n"
                text += "\(stamp(t)) web1 sshd[\(pid)]: Connection closed by authenticating user deploy \(ip2) port \(port) [preauth]\n"
            } else {
                text += "\(stamp(t)) web1 sshd[\(pid)]: Invalid user admin\(i % 40) from \(ip2) port \(port)\n"
                text += "\(stamp(t)) web1 sshd[\(pid)]: Failed password for invalid user admin\(i % 40) from \(ip2) port \(port) ssh2\n"
                text += "\(stamp(t)) web1 sshd[\(pid)]: Connection closed by invalid user admin\(i % 40) \(ip2) port \(port) [preauth]\n"
            }
        }
        text += "\(stamp(3001)) web1 sshd[1211]: Timeout, client not responding from user deploy 198.51.100.44 port 50100\n"
        text += "\(stamp(3001)) web1 sshd[1200]: pam_unix(sshd:session): session closed for user deploy\n"
        let dir = TestSupport.tempDir("explain-flood")
        let log = TestSupport.write(text, to: dir.appendingPathComponent("auth.log")).path

        for user in [nil, "deploy"] as [String?] {
            let run = try TestSupport.plan([log])
            var o = Correlator.Options()
            o.user = user
            let result = ExplainRun.correlate(run, library: PatternLibrary.builtin(), options: o)
            let r = Explainer(window: "test", inputs: log, user: user).report(result)
            XCTAssertEqual(r.clients.first?.address, "198.51.100.44", "user filter: \(user ?? "none")")
            XCTAssertEqual(r.clients.first?.causes.first, .idleTimeout)
            XCTAssertGreaterThan(r.summary.clients, 300)
            if user == nil {
                XCTAssertEqual(r.summary.connections, 30_001)
                let kept = result.clients.reduce(0) { $0 + $1.connections.count }
                XCTAssertLessThan(kept, result.clients.count * 6, "detail is bounded per client")
            } else {
                XCTAssertEqual(r.summary.connections, 1 + 30_000 / 7 + 1)
            }
        }
    }
}
