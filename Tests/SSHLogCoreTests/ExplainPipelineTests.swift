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

    func testCLITextIsHarmlessAndSaysTheDefaultWindow() throws {
        let res = try TestSupport.sshlog(["explain", ExplainPipelineTests.authLog])
        XCTAssertEqual(res.status, 0, res.stderr)
        XCTAssertTrue(res.stdout.contains("last 1h (the default"), res.stdout)
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
}
