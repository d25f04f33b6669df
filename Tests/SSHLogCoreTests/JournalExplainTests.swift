import Foundation
import XCTest
@testable import SSHLogCore

/// The issue's cross-check: `explain` gives the same causes on the same events whether they come
/// from a journal file or from an auth.log.
///
/// The events are the explain fixture (`Tests/Fixtures/explain/auth.log` and `fail2ban.log`, real
/// Debian 12 line formats). The test turns them into export format, with the trusted fields
/// journald would add, and into a real journal file with systemd-journal-remote.
final class JournalExplainTests: XCTestCase {
    static let explainFixtures = TestSupport.repoRoot.appendingPathComponent("Tests/Fixtures/explain")
    static var authLog: String { explainFixtures.appendingPathComponent("auth.log").path }
    static var f2bLog: String { explainFixtures.appendingPathComponent("fail2ban.log").path }

    /// Export format for the records of `paths`, as journald would have stored them: sshd and
    /// logind through syslog(3), fail2ban with `logtarget = SYSTEMD-JOURNAL` (identifier
    /// `fail2ban`, the bare message without the level).
    func export(_ paths: [String]) throws -> String {
        var out = ""
        var monotonic: Int64 = 1_000_000
        for r in TestSupport.records(try TestSupport.plan(paths)) {
            monotonic += 1000
            var program = r.program, message = r.message, pid = r.pid
            var comm = program, exe = "/usr/sbin/\(program)", transport = "syslog"
            if program.hasPrefix("fail2ban") {
                program = "fail2ban"; comm = "fail2ban-server"; exe = "/usr/bin/python3.11"; transport = "journal"
                // "NOTICE  [sshd] Ban 192.0.2.11" → "[sshd] Ban 192.0.2.11"
                if let bracket = message.firstIndex(of: "[") { message = String(message[bracket...]) }
            } else if program == "systemd-logind" {
                exe = "/usr/lib/systemd/systemd-logind"; transport = "journal"
            }
            if pid < 0 { pid = 812 }
            out += "__REALTIME_TIMESTAMP=\(r.time)\n__MONOTONIC_TIMESTAMP=\(monotonic)\n"
            out += "_BOOT_ID=6c1d2e3f4a5b46c7d8e9f0a1b2c3d4e5\n_HOSTNAME=\(r.host)\n"
            out += "SYSLOG_IDENTIFIER=\(program)\n" + (transport == "syslog" ? "SYSLOG_PID=\(pid)\n" : "")
            out += "_PID=\(pid)\n_UID=0\n_GID=0\n_COMM=\(comm)\n_EXE=\(exe)\n_TRANSPORT=\(transport)\n"
            out += "MESSAGE=\(message)\n\n"
        }
        return out
    }

    /// Writes a journal file from export text with systemd-journal-remote.
    func journal(_ exportText: String, named name: String) throws -> String {
        guard let remote = ["/lib/systemd/systemd-journal-remote", "/usr/lib/systemd/systemd-journal-remote"]
            .first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            throw XCTSkip("systemd-journal-remote is not installed (package systemd-journal-remote)")
        }
        let out = try JournalFixtures.scratch("explain").appendingPathComponent("\(name).journal").path
        let p = Process()
        p.executableURL = URL(fileURLWithPath: remote)
        p.arguments = ["--output=\(out)", "-"]
        let input = Pipe()
        p.standardInput = input
        p.standardError = FileHandle.nullDevice
        try p.run()
        input.fileHandleForWriting.write(Data(exportText.utf8))
        try input.fileHandleForWriting.close()
        p.waitUntilExit()
        XCTAssertEqual(p.terminationStatus, 0)
        return out
    }

    func explain(files: [String], journal: String? = nil) throws -> ExplainReport {
        var request = InputRequest()
        request.paths = files
        request.readSystemLogs = false
        let run = try IngestRun.plan(request, diagnostics: Diagnostics(echo: false))
        if let journal {
            run.extraSources.append(try JournalSource(.files([journal]), diagnostics: run.diagnostics))
            run.dedupJournal = !run.sets.isEmpty
        }
        let result = ExplainRun.correlate(run, library: PatternLibrary.builtin(), options: Correlator.Options())
        return Explainer(window: run.windowDescription, inputs: run.inputsDescription, limit: nil).report(result)
    }

    /// Per client: the causes, the connections' causes, and the evidence text.
    func digest(_ r: ExplainReport) -> [String: String] {
        var out: [String: String] = [:]
        for s in r.clients {
            let connections = s.connections.map { c in
                "\(c.cause?.id.rawValue ?? "-"): " + c.evidence.map(\.text).joined(separator: " | ")
            }
            out[s.address ?? "(host)"] = "causes \(s.causes.map(\.rawValue)); bans \(s.bans.count); " + connections.joined(separator: " || ")
        }
        return out
    }

    func testSameCausesFromAJournalFileAsFromAuthLog() throws {
        let fromFiles = try explain(files: [Self.authLog, Self.f2bLog])
        XCTAssertGreaterThanOrEqual(fromFiles.clients.count, 8)

        // sshd and logind from the journal, fail2ban from its own log file.
        let sshdJournal = try journal(try export([Self.authLog]), named: "auth")
        let mixed = try explain(files: [Self.f2bLog], journal: sshdJournal)
        XCTAssertEqual(digest(mixed), digest(fromFiles))
        XCTAssertEqual(mixed.summary.drops, fromFiles.summary.drops)
        XCTAssertEqual(mixed.summary.bans, fromFiles.summary.bans)
        XCTAssertEqual(mixed.summary.dropsByCause.map { "\($0.0.rawValue)=\($0.1)" },
                       fromFiles.summary.dropsByCause.map { "\($0.0.rawValue)=\($0.1)" })

        // The evidence from the journal is cited by cursor, for `journalctl --cursor`.
        let evidence = mixed.clients.flatMap { $0.connections.flatMap(\.evidence) }
        let sshdLine = try XCTUnwrap(evidence.first { $0.text.contains("Invalid user admin") })
        XCTAssertTrue(sshdLine.location.contains("cursor s="), sshdLine.location)

        // Everything from the journal, fail2ban included (logtarget = SYSTEMD-JOURNAL).
        let allJournal = try journal(try export([Self.authLog, Self.f2bLog]), named: "all")
        let journalOnly = try explain(files: [], journal: allJournal)
        XCTAssertEqual(digest(journalOnly), digest(fromFiles))
    }

    func testJournalAndTheAuthLogForwardedFromItGiveTheSameCausesOnce() throws {
        // rsyslog forwarding: both hold the same sshd events; read together, nothing counts twice.
        let fromFiles = try explain(files: [Self.authLog, Self.f2bLog])
        let sshdJournal = try journal(try export([Self.authLog]), named: "forwarded")
        let both = try explain(files: [Self.authLog, Self.f2bLog], journal: sshdJournal)
        XCTAssertEqual(both.summary.connections, fromFiles.summary.connections)
        XCTAssertEqual(both.summary.drops, fromFiles.summary.drops)
        XCTAssertEqual(digest(both).keys.sorted(), digest(fromFiles).keys.sorted())
        for (client, story) in digest(fromFiles) {
            // The same causes; evidence may be cited from either copy.
            XCTAssertEqual(digest(both)[client]?.components(separatedBy: ";").first, story.components(separatedBy: ";").first, client)
        }
    }

    /// The lab's real run (samples/): the journal file and the RFC 3339 auth.log hold the same 118
    /// records of a real sshd; explain must tell the same story from either, and from both.
    func testLabSamplesSameCausesFromTheJournalAsFromAuthLog() throws {
        let samples = TestSupport.repoRoot.appendingPathComponent("samples")
        let journalFile = samples.appendingPathComponent("auth.journal").path
        let authLog = samples.appendingPathComponent("auth-rfc3339.log").path
        let f2b = samples.appendingPathComponent("fail2ban.log").path
        guard FileManager.default.fileExists(atPath: journalFile) else {
            throw XCTSkip("samples/auth.journal is absent (made by the lab, Lab/make-journal.py)")
        }
        let fromFiles = try explain(files: [authLog, f2b])
        let fromJournal = try explain(files: [f2b], journal: journalFile)
        XCTAssertGreaterThanOrEqual(fromFiles.clients.count, 5)
        XCTAssertEqual(digest(fromJournal), digest(fromFiles))
        XCTAssertEqual(fromJournal.summary.dropsByCause.map { "\($0.0.rawValue)=\($0.1)" },
                       fromFiles.summary.dropsByCause.map { "\($0.0.rawValue)=\($0.1)" })

        let both = try explain(files: [authLog, f2b], journal: journalFile)
        XCTAssertEqual(both.summary.connections, fromFiles.summary.connections)
        XCTAssertEqual(both.clients.map { $0.causes }, fromFiles.clients.map { $0.causes })

        // The causes the lab recorded as the truth, wherever the file-based run finds them, the
        // journal-based run finds too.
        let truth = try String(contentsOf: samples.appendingPathComponent("truth.jsonl"), encoding: .utf8)
            .split(separator: "\n").compactMap { try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        var agreed = 0
        for t in truth {
            guard let client = t["client"] as? String, let cause = t["cause"] as? String else { continue }
            let fileCause = fromFiles.clients.first { $0.address == client }?.causes.map(\.rawValue)
            let journalCause = fromJournal.clients.first { $0.address == client }?.causes.map(\.rawValue)
            XCTAssertEqual(journalCause, fileCause, client)
            if fileCause?.contains(cause) == true { agreed += 1 }
        }
        XCTAssertGreaterThan(agreed, 0)
    }
}
