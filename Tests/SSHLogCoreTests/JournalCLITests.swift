import Foundation
import XCTest
@testable import SSHLogCore

/// `sshlog` end to end on real journal files: --journal-file, --journal-dir, the merge with an
/// auth.log holding the same events, and the failure messages.
final class JournalCLITests: XCTestCase {
    let utc = ["TZ": "UTC"]

    func testEventsFromAJournalFile() throws {
        let r = try TestSupport.sshlog(["events", "--no-tags", "--journal-file", try JournalFixtures.web1()], env: utc)
        XCTAssertEqual(r.status, 0, r.stderr)
        let lines = r.stdout.split(separator: "\n")
        XCTAssertEqual(lines.count, 18)
        XCTAssertEqual(lines.first, "2025-05-01T12:00:00.123456+00:00 web1 sshd[1200]: Invalid user admin from 203.0.113.5 port 50022")
        XCTAssertFalse(r.stdout.contains("CRON"))
        XCTAssertEqual(r.stderr, "")
        // With tags, the entries `logger -t sshd` wrote are marked and counted.
        let tagged = try TestSupport.sshlog(["events", "--journal-file", try JournalFixtures.web1()], env: utc)
        XCTAssertTrue(tagged.stdout.split(separator: "\n").first?.hasSuffix("⟨auth.invalid-user client=203.0.113.5 port=50022 user=admin invalid=yes⟩") ?? false, tagged.stdout)
        XCTAssertEqual(tagged.stdout.split(separator: "\n").filter { $0.contains(" SPOOFED⟩") }.count, 2, tagged.stdout)
        XCTAssertTrue(tagged.stderr.contains("2 record(s) marked SPOOFED"), tagged.stderr)
    }

    func testJSONLinesCarryTheCursorAndTheWindowIsApplied() throws {
        let dir = try JournalFixtures.collection()
        let r = try TestSupport.sshlog(["events", "--format", "jsonl", "--journal-dir", dir,
                                        "--since", "2025-05-01T12:02:00Z", "--until", "2025-05-01T12:02:59Z"], env: utc)
        XCTAssertEqual(r.status, 0, r.stderr)
        let objects = try r.stdout.split(separator: "\n").map {
            try XCTUnwrap(JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
        }
        XCTAssertEqual(objects.map { $0["host"] as? String }, ["web1", "db1", "db1", "db1"])
        for o in objects {
            XCTAssertEqual(o["source"] as? String, dir)
            XCTAssertEqual(o["line"] as? Int, 0)
            XCTAssertTrue((o["cursor"] as? String)?.hasPrefix("s=") ?? false)
        }
    }

    func testJournalAndAuthLogWithTheSameEventsCountEachOnce() throws {
        let authLog = JournalFixtures.fixtureDir.appendingPathComponent("web1.auth.log").path
        let both = try TestSupport.sshlog(["events", "--no-tags", authLog, "--journal-file", try JournalFixtures.web1()], env: utc)
        XCTAssertEqual(both.status, 0, both.stderr)
        let lines = both.stdout.split(separator: "\n").map(String.init)
        // 18 journal records + CRON, the one auth.log line the journal selection leaves out.
        XCTAssertEqual(lines.count, 19, both.stdout)
        let bodies = lines.map { $0.split(separator: " ", maxSplits: 1)[1] }
        XCTAssertEqual(Set(bodies).count, bodies.count, "an event printed twice")
        XCTAssertTrue(lines.contains { $0.hasSuffix("CRON[900]: pam_unix(cron:session): session opened for user root(uid=0) by (uid=0)") })

        let sources = try TestSupport.sshlog(["sources", authLog, "--journal-file", try JournalFixtures.web1()], env: utc)
        XCTAssertTrue(sources.stdout.contains("journal: reading \(try JournalFixtures.web1()) (1 journal file)"), sources.stdout)
    }

    func testTheJournalCopyIsKeptSoASpoofedLineStaysMarked() throws {
        // `logger -p auth.info -t sshd …` lands in auth.log too. Stamped no later than journald's
        // copy, the file's line comes first in the merge; the journal's copy (flagged, with a
        // cursor) must still be the one passed on.
        let dir = try JournalFixtures.scratch("spoof-forwarded")
        let authLog = dir.appendingPathComponent("auth.log")
        try Data("""
            2025-05-01T12:00:00.123000+00:00 web1 sshd[1200]: Invalid user admin from 203.0.113.5 port 50022
            2025-05-01T12:01:30.000000+00:00 web1 sshd[4242]: Failed password for root from 10.0.0.1 port 22 ssh2

            """.utf8).write(to: authLog)
        let r = try TestSupport.sshlog(["events", "--format", "jsonl", authLog.path, "--journal-file", try JournalFixtures.web1()], env: utc)
        XCTAssertEqual(r.status, 0, r.stderr)
        let objects = try r.stdout.split(separator: "\n").map {
            try XCTUnwrap(JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
        }
        let spoofed = objects.filter { ($0["message"] as? String) == "Failed password for root from 10.0.0.1 port 22 ssh2" }
        XCTAssertEqual(spoofed.count, 1)
        XCTAssertEqual(spoofed.first?["spoofed"] as? Bool, true, "\(spoofed)")
        XCTAssertNotNil(spoofed.first?["cursor"])
        let invalid = objects.filter { ($0["message"] as? String)?.hasPrefix("Invalid user admin") ?? false }
        XCTAssertEqual(invalid.count, 1)
        XCTAssertEqual(invalid.first?["ts"] as? Int, 1_746_100_800_123_456, "journald's time, not rsyslog's")
        XCTAssertEqual(objects.count, 18)
    }

    func testNoJournalContradictsANamedJournal() throws {
        let r = try TestSupport.sshlog(["events", "--no-journal", "--journal-dir", "/tmp"])
        XCTAssertEqual(r.status, ExitStatus.usage.rawValue)
        XCTAssertTrue(r.stderr.contains("--no-journal contradicts --journal-dir/--journal-file"), r.stderr)
    }

    func testTruncatedFileIsNamedAndExitIsPartial() throws {
        let dir = try JournalFixtures.scratch("cli-truncated")
        let bad = dir.appendingPathComponent("remote-db1.journal").path
        try FileManager.default.copyItem(atPath: try JournalFixtures.collection() + "/remote-db1.journal", toPath: bad)
        try FileManager.default.copyItem(atPath: try JournalFixtures.web1(), toPath: dir.appendingPathComponent("remote-web1.journal").path)
        XCTAssertEqual(truncate(bad, 100_000), 0)
        let r = try TestSupport.sshlog(["events", "--journal-dir", dir.path], env: utc)
        XCTAssertEqual(r.status, ExitStatus.partial.rawValue, r.stderr)
        XCTAssertEqual(r.stdout.split(separator: "\n").count, 18)
        XCTAssertTrue(r.stderr.contains("sshlog: \(bad): journal file is truncated: 100000 bytes on disk"), r.stderr)
    }

    func testEmptyJournalDirectoryIsAClearMessage() throws {
        let dir = try JournalFixtures.scratch("cli-empty")
        let r = try TestSupport.sshlog(["events", "--journal-dir", dir.path])
        XCTAssertEqual(r.status, ExitStatus.noInput.rawValue)
        XCTAssertTrue(r.stderr.contains("sshlog: \(dir.path): no journal files (*.journal) in this directory or its subdirectories; pass the directory that holds the .journal files"), r.stderr)
    }

    func testUnreadableJournalSaysWhatToDo() throws {
        guard getuid() == 0 else { throw XCTSkip("needs root to run sshlog as user nobody") }
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/setpriv") else { throw XCTSkip("setpriv missing") }
        let file = try JournalFixtures.web1()  // mode 0640 root:root, as journal-remote writes it
        let r = try TestSupport.sshlog(["events", "--journal-file", file], asUser: "nobody")
        if r.stdout.isEmpty && !r.stderr.contains("sshlog") {
            throw XCTSkip("the built binary is not reachable for user nobody here: \(r.stderr)")
        }
        XCTAssertEqual(r.status, ExitStatus.noInput.rawValue, r.stderr)
        XCTAssertTrue(r.stderr.contains("sshlog: \(file): permission denied; add your user to group systemd-journal or adm, or use sudo"), r.stderr)
    }

    func testUnreadableMachineDirectorySaysWhatToDo() throws {
        guard getuid() == 0 else { throw XCTSkip("needs root to run sshlog as user nobody") }
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/setpriv") else { throw XCTSkip("setpriv missing") }
        // A copied /var/log/journal: the machine-id directory is 2750 root:systemd-journal.
        let dir = try JournalFixtures.scratch("machine")
        let machine = dir.appendingPathComponent("3f1c5a0e9b2d4c6e8a0b1c2d3e4f5a6b")
        try FileManager.default.createDirectory(at: machine, withIntermediateDirectories: false)
        try FileManager.default.copyItem(atPath: try JournalFixtures.web1(), toPath: machine.appendingPathComponent("system.journal").path)
        try FileManager.default.setAttributes([.posixPermissions: 0o750], ofItemAtPath: machine.path)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: dir.path)
        let r = try TestSupport.sshlog(["events", "--journal-dir", dir.path], asUser: "nobody")
        if r.stdout.isEmpty && !r.stderr.contains("sshlog") {
            throw XCTSkip("the built binary is not reachable for user nobody here: \(r.stderr)")
        }
        XCTAssertEqual(r.status, ExitStatus.noInput.rawValue, r.stderr)
        XCTAssertTrue(r.stderr.contains("sshlog: \(machine.path): permission denied; add your user to group systemd-journal or adm, or use sudo"), r.stderr)
        // As root the same directory reads.
        let root = try TestSupport.sshlog(["events", "--no-tags", "--journal-dir", dir.path])
        XCTAssertEqual(root.stdout.split(separator: "\n").count, 18, root.stderr)
    }

    func testSourcesSaysWhyTheJournalIsNotRead() throws {
        guard JournalFiles.localFiles().isEmpty else {
            throw XCTSkip("this machine has a journal; the no-journal explanation is checked where there is none (containers)")
        }
        let logs = try JournalFixtures.scratch("syslog-only")
        try FileManager.default.copyItem(atPath: JournalFixtures.fixtureDir.appendingPathComponent("web1.auth.log").path,
                                         toPath: logs.appendingPathComponent("auth.log").path)
        let r = try TestSupport.sshlog(["sources", "--system-log-dir", logs.path], env: utc)
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stdout.contains("journal: no journal on this machine (no journal files in /var/log/journal or /run/log/journal); reading the syslog files"), r.stdout)
        XCTAssertEqual(r.stderr, "", "not an error: the syslog files are the source")

        // --journal insists: the missing journal is then an error, and the syslog files are still read.
        let forced = try TestSupport.sshlog(["events", "--no-tags", "--journal", "--system-log-dir", logs.path], env: utc)
        XCTAssertEqual(forced.status, ExitStatus.partial.rawValue, forced.stderr)
        XCTAssertTrue(forced.stderr.contains("sshlog: journal: no journal on this machine"), forced.stderr)
        XCTAssertEqual(forced.stdout.split(separator: "\n").count, 15)

        let never = try TestSupport.sshlog(["sources", "--no-journal", "--system-log-dir", logs.path], env: utc)
        XCTAssertTrue(never.stdout.contains("journal: --no-journal: not reading the journal"), never.stdout)
    }
}
