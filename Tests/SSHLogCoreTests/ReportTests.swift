import Foundation
import XCTest
@testable import SSHLogCore

/// `report` over real logs: the brute-force fixture made with a real sshd, the lab's samples, the
/// history fixture and the shared corpora; each section's facts checked.
final class ReportTests: XCTestCase {
    static let fixtures = TestSupport.repoRoot.appendingPathComponent("Tests/Fixtures/report")
    static let samples = TestSupport.repoRoot.appendingPathComponent("samples")

    override func setUp() { TestSupport.setTZ("UTC") }

    static func day(_ y: Int, _ m: Int, _ d: Int) -> DailyReport.Period {
        let s = TestSupport.micros(y, m, d, 0, 0, 0, utc: true)
        return DailyReport.Period(start: s, end: s + 86_400_000_000)
    }

    static func report(_ paths: [String], _ period: DailyReport.Period, options: ReportBuilder.Options = .init()) throws -> DailyReport {
        let run = try TestSupport.plan(paths, until: "@\(period.end / 1_000_000)")
        return ReportBuilder.build(run, library: PatternLibrary.builtin(), period: period, options: options)
    }

    /// The fixture's year is inferred from its mtime; the period follows its first line.
    static func fixturePeriod(_ path: String) throws -> DailyReport.Period {
        let run = try TestSupport.plan([path])
        let first = TestSupport.records(run).first!.time
        let dayStart = first - first % 86_400_000_000
        return DailyReport.Period(start: dayStart, end: dayStart + 86_400_000_000)
    }

    func testBruteForceThatSucceedsNeedsAttention() throws {
        let path = Self.fixtures.appendingPathComponent("bruteforce-success.log").path
        let r = try Self.report([path], try Self.fixturePeriod(path))
        let items = r.attention.filter { $0.kind == .bruteForceSuccess }
        XCTAssertEqual(items.count, 1, "\(r.attention.map { $0.kind })")
        let a = try XCTUnwrap(items.first)
        XCTAssertEqual(a.user, "sshlogbf")
        XCTAssertEqual(a.address, "127.0.0.1")
        XCTAssertEqual(a.method, "password")
        XCTAssertEqual(a.count, 12, "12 'Failed password' lines precede the acceptance")
        XCTAssertEqual(a.location, path + ":55")
        XCTAssertEqual(r.attention.first?.kind, .bruteForceSuccess, "the most urgent finding comes first")
        XCTAssertFalse(r.isClean)
        XCTAssertEqual(r.totals.logins, 1)
        XCTAssertEqual(r.noise.failedAuth, 12)
        XCTAssertEqual(r.noise.topSources.first?.name, "127.0.0.1")
        XCTAssertEqual(r.noise.topSources.first?.count, 12)
        XCTAssertEqual(r.noise.topUsers.first?.name, "sshlogbf")
        // Below the threshold nothing is flagged.
        var strict = ReportBuilder.Options()
        strict.bruteForceThreshold = 13
        let r2 = try Self.report([path], try Self.fixturePeriod(path), options: strict)
        XCTAssertTrue(r2.attention.filter { $0.kind == .bruteForceSuccess }.isEmpty)
    }

    func testLabSamplesEverySection() throws {
        guard FileManager.default.fileExists(atPath: Self.samples.appendingPathComponent("auth.log").path) else {
            throw XCTSkip("samples/ is absent (merge main)")
        }
        let r = try Self.report([Self.samples.path], Self.day(2026, 11, 22))
        // Needs attention: the maxstartups scenario (127.0.0.12, MaxStartups 3:100:3, two drops).
        let shed = try XCTUnwrap(r.attention.first { $0.kind == .shedding })
        XCTAssertEqual(shed.count, 2)
        XCTAssertTrue(shed.detail.contains("2 connection(s) dropped past MaxStartups"), shed.detail)
        XCTAssertFalse(r.attention.contains { $0.kind == .bruteForceSuccess }, "no address logged in after failing")
        // Access health: explain's causes for labuser's drops, one address per scenario (truth.jsonl).
        let byAddress = Dictionary(grouping: r.health.dropped, by: { $0.address })
        XCTAssertEqual(byAddress["127.0.0.15"]?.first?.cause, .idleTimeout)
        XCTAssertEqual(byAddress["127.0.0.23"]?.first?.cause, .networkReset)
        XCTAssertEqual(byAddress["127.0.0.22"]?.first?.cause, .clientVanished)
        XCTAssertEqual(byAddress["127.0.0.24"]?.first?.cause, .serverRestart)
        XCTAssertEqual(byAddress["127.0.0.21"]?.first?.cause, .tooManyAuthFailures)
        XCTAssertNil(byAddress["127.0.0.10"], "a clean logout is not a drop")
        let idle = try XCTUnwrap(byAddress["127.0.0.15"]?.first)
        XCTAssertEqual(idle.user, "labuser")
        XCTAssertEqual(idle.title, CauseID.idleTimeout.info.title)
        XCTAssertTrue(idle.fix.contains("ServerAliveInterval"), "keepalive recommendation: \(idle.fix)")
        // The same wording `explain` gives for that connection.
        let run = try TestSupport.plan([Self.samples.path], since: "@\(Self.day(2026, 11, 22).start / 1_000_000)")
        let explained = Explainer(window: "", inputs: "", limit: nil, connectionsPerClient: nil)
            .report(ExplainRun.correlate(run, library: PatternLibrary.builtin(), options: Correlator.Options()))
        let story = explained.clients.first { $0.address == "127.0.0.15" }?.connections.compactMap { $0.cause }
            .first { $0.id == .idleTimeout }
        XCTAssertEqual(story?.summary, idle.summary)
        XCTAssertEqual(story?.fix, idle.fix)
        // Noise: fail2ban banned 127.0.0.11 and 127.0.0.21 and lifted both bans.
        XCTAssertEqual(r.noise.bans, 2)
        XCTAssertEqual(r.noise.unbans, 2)
        XCTAssertEqual(r.noise.invalidUsers, 1)
        XCTAssertEqual(r.noise.topUsers.map { $0.name }, ["labuser", "nosuchuser"])
        XCTAssertTrue(r.health.bannedKnown.isEmpty, "no banned address ever logged in")
        // Totals.
        let failedLines = try Self.count("Failed password", in: Self.samples)
        XCTAssertEqual(r.noise.failedAuth, failedLines)
        XCTAssertEqual(r.totals.logins, try Self.count("Accepted ", in: Self.samples))
        XCTAssertEqual(r.totals.drops, r.totals.dropsByCause.reduce(0) { $0 + $1.1 })
        XCTAssertEqual(r.totals.dropsByCause.first { $0.0 == .maxstartups }?.1, 2)
        XCTAssertEqual(r.buckets.count, 24)
        XCTAssertEqual(r.buckets.reduce(0) { $0 + $1.connections }, r.totals.connections)
        XCTAssertEqual(r.buckets[5].connections, r.totals.connections, "the lab ran between 05:32 and 05:34")
    }

    func testHistoryRulesAndKnownBans() throws {
        let paths = ["history.log", "history-fail2ban.log"].map { Self.fixtures.appendingPathComponent($0).path }
        let r = try Self.report(paths, Self.day(2026, 11, 21))
        let kinds = r.attention.map { "\($0.kind.rawValue):\($0.user ?? "")@\($0.address ?? "")" }
        XCTAssertEqual(kinds, [
            "root-login:root@192.0.2.10",
            "password-for-key-user:alice@192.0.2.10",
            "new-address:alice@198.51.100.7",
            "new-address:root@192.0.2.10",
        ])
        XCTAssertFalse(kinds.contains("new-address:bob@192.0.2.20"), "bob logged in from there the day before")
        XCTAssertEqual(r.health.bannedKnown.count, 1)
        XCTAssertEqual(r.health.bannedKnown.first?.address, "192.0.2.10")
        XCTAssertEqual(r.health.bannedKnown.first?.users, ["alice", "root"])
        XCTAssertEqual(r.previousTotals.logins, 3)
        XCTAssertEqual(r.totals.logins, 4)
        // The day before has no history of its own: no first-seen findings, and a note says why.
        let first = try Self.report(paths, Self.day(2026, 11, 20))
        XCTAssertTrue(first.attention.isEmpty)
        XCTAssertTrue(first.notes.contains { $0.contains("need history") })
    }

    func testDayWithoutActivity() throws {
        let path = Self.fixtures.appendingPathComponent("history.log").path
        let r = try Self.report([path], Self.day(2026, 11, 25))
        XCTAssertTrue(r.isQuiet)
        XCTAssertTrue(r.isClean)
        XCTAssertEqual(r.totals.connections, 0)
        XCTAssertEqual(r.notes.first, "No SSH activity was logged in this period.")
        let text = ReportTextRenderer.render(r)
        XCTAssertTrue(text.contains("Nothing needs attention."))
        XCTAssertTrue(text.contains("No SSH activity was logged in this period."))
        XCTAssertNoThrow(try JSONSerialization.jsonObject(with: Data(ReportJSONRenderer.render(r).utf8)))
    }

    func testLoghubCorpusNoiseMatchesItsLabels() throws {
        let corpora = try TestSupport.requireCorpora()
        let log = corpora.appendingPathComponent("loghub-openssh/data/OpenSSH_2k.log").path
        var failed = 0, invalid = 0, accepted = 0
        var perSource: [String: Int] = [:]
        for line in try String(contentsOfFile: corpora.appendingPathComponent("loghub-openssh/expected.jsonl").path, encoding: .utf8)
            .split(separator: "\n") {
            let o = try JSONSerialization.jsonObject(with: Data(line.utf8)) as! [String: Any]
            let content = o["content"] as! String
            let ip = (o["derived"] as? [String: Any])?["ip"] as? String
            if content.hasPrefix("Failed ") && !content.hasPrefix("Failed none") { failed += 1; if let ip { perSource[ip, default: 0] += 1 } }
            // syslog's "message repeated N times: [ Failed password ... ]" stands for N failures.
            if content.hasPrefix("message repeated "), content.contains("[ Failed password") {
                let n = Int(content.split(separator: " ")[2])!
                failed += n
                let from = content.components(separatedBy: " from ")[1].split(separator: " ")[0]
                perSource[String(from), default: 0] += n
            }
            if content.hasPrefix("Invalid user ") { invalid += 1; if let ip { perSource[ip, default: 0] += 1 } }
            if content.hasPrefix("Accepted ") { accepted += 1 }
        }
        let r = try Self.report([log], try Self.fixturePeriod(log))
        XCTAssertEqual(r.noise.failedAuth, failed)
        XCTAssertEqual(r.noise.invalidUsers, invalid)
        XCTAssertEqual(r.totals.logins, accepted)
        let top = perSource.max { $0.value != $1.value ? $0.value < $1.value : $0.key > $1.key }!
        XCTAssertEqual(r.noise.topSources.first?.name, top.key)
        XCTAssertEqual(r.noise.topSources.first?.count, top.value)
        XCTAssertEqual(r.noise.sources, perSource.count)
    }

    // MARK: - Helpers

    /// Lines of the sshd logs in `dir` (plain and gzip) whose message starts with `prefix`.
    static func count(_ prefix: String, in dir: URL) throws -> Int {
        var n = 0
        let run = try TestSupport.plan([dir.path])
        run.forEachRecord { r, _ in if r.messageString.hasPrefix(prefix) && r.programString == "sshd" { n += 1 } }
        return n
    }

}
