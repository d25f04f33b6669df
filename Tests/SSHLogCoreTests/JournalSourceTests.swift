import Foundation
import XCTest
@testable import SSHLogCore

/// Real journal files, made at test time by `Tests/Fixtures/journal/make-journal.sh` with
/// systemd-journal-remote from the export-format inputs beside it.
enum JournalFixtures {
    static let fixtureDir: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/journal")

    /// 2025-05-01T12:00:00Z in µs.
    static let noon: Int64 = 1_746_100_800_000_000

    /// Where this process builds its journals; removed when the test process exits (each
    /// journal-remote file takes 8 MiB).
    static let outputPath = FileManager.default.temporaryDirectory
        .appendingPathComponent("sshlog-journal-\(getpid())-\(UUID().uuidString.prefix(8))").path

    private static let made: Result<URL, Error> = {
        let out = URL(fileURLWithPath: outputPath)
        atexit { try? FileManager.default.removeItem(atPath: JournalFixtures.outputPath) }
        do {
            try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
            let status = try run("/bin/sh", [fixtureDir.appendingPathComponent("make-journal.sh").path, out.path]).status
            if status == 77 {
                return .failure(XCTSkip("systemd-journal-remote is not installed (package systemd-journal-remote); journal tests need it to build real journal files"))
            }
            guard status == 0 else { return .failure(SSHLogError(.journal, out.path, "make-journal.sh failed with status \(status)")) }
            return .success(out)
        } catch { return .failure(error) }
    }()

    /// The directory holding `web1.journal` and `collection/`.
    static func directory() throws -> URL { try made.get() }
    static func web1() throws -> String { try directory().appendingPathComponent("web1.journal").path }
    static func collection() throws -> String { try directory().appendingPathComponent("collection").path }

    /// A fresh empty directory.
    static func scratch(_ name: String) throws -> URL {
        let dir = try directory().appendingPathComponent("\(name)-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }

    @discardableResult
    static func run(_ tool: String, _ args: [String]) throws -> (status: Int32, stdout: String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: tool)
        p.arguments = args
        let pipe = Pipe()
        p.standardOutput = pipe
        p.standardError = FileHandle.nullDevice
        try p.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    struct Entry: Equatable {
        var time: Int64, host: String, program: String, pid: Int32, message: String, line: String, spoofed: Bool
    }

    /// Reads a source to the end, copying each record.
    static func drain(_ source: JournalSource) -> [Entry] {
        var out: [Entry] = []
        while source.next() {
            let r = source.record
            out.append(Entry(time: r.time, host: r.hostString, program: r.programString, pid: r.pid,
                             message: r.messageString, line: r.lineString, spoofed: source.currentIsSpoofed))
        }
        return out
    }
}

final class JournalSourceTests: XCTestCase {
    func testMatchesReadOnlyTheSSHRelatedEntries() throws {
        let diag = Diagnostics(echo: false)
        let source = try JournalSource(.files([try JournalFixtures.web1()]), diagnostics: diag)
        let entries = JournalFixtures.drain(source)

        // 20 entries in the file; CRON and nginx are not selected, the two logger lines are (and
        // are flagged, see JournalSpoofTests).
        XCTAssertEqual(entries.count, 18)
        XCTAssertEqual(source.entriesRead, 18)
        XCTAssertFalse(entries.contains { $0.program == "CRON" || $0.program == "nginx" })
        XCTAssertEqual(Set(entries.map(\.program)), ["sshd", "fail2ban", "systemd-logind", "kernel", "sshguard"])
        // sshd lines written after login, from session-3.scope, are still read (matched by
        // identifier, not by unit).
        XCTAssertTrue(entries.contains { $0.message == "Disconnected from user alice 198.51.100.7 port 41000" })

        let first = try XCTUnwrap(entries.first)
        XCTAssertEqual(first.line, "web1 sshd[1200]: Invalid user admin from 203.0.113.5 port 50022")
        XCTAssertEqual(first.time, JournalFixtures.noon + 123_456)
        XCTAssertEqual(first.host, "web1")
        XCTAssertEqual(first.pid, 1200)
        // fail2ban writing to the journal sets no SYSLOG_PID: the pid is _PID.
        let ban = try XCTUnwrap(entries.first { $0.program == "fail2ban" })
        XCTAssertEqual(ban.line, "web1 fail2ban[812]: [sshd] Ban 203.0.113.5")
        // Kernel lines have no pid; the trailing space netfilter writes is kept.
        let kernel = try XCTUnwrap(entries.first { $0.program == "kernel" && !$0.spoofed })
        XCTAssertEqual(kernel.pid, -1)
        XCTAssertTrue(kernel.line.hasPrefix("web1 kernel: [UFW LIMIT BLOCK] IN=eth0 OUT= "))
        XCTAssertTrue(kernel.message.hasSuffix("SYN URGP=0 "))
        // Time order.
        XCTAssertEqual(entries.map(\.time), entries.map(\.time).sorted())
        XCTAssertTrue(diag.messages.isEmpty, "\(diag.messages)")

        // That line's unit is the login session's scope, not ssh.service.
        let again = try JournalSource(.files([try JournalFixtures.web1()]), diagnostics: diag)
        while again.next() && again.record.messageString != "Disconnected from user alice 198.51.100.7 port 41000" {}
        XCTAssertEqual(again.field("_SYSTEMD_UNIT"), "session-3.scope")
        XCTAssertEqual(again.field("_UID"), "1000")
    }

    func testRecordRangesPointIntoTheComposedLine() throws {
        let source = try JournalSource(.files([try JournalFixtures.web1()]), diagnostics: Diagnostics(echo: false))
        XCTAssertTrue(source.next())
        let r = source.record
        XCTAssertEqual(r.lineNumber, 0)
        XCTAssertFalse(r.malformed)
        XCTAssertEqual(r.string(r.hostRange), "web1")
        XCTAssertEqual(r.string(r.programRange), "sshd")
        XCTAssertEqual(r.messageRange.upperBound, r.line.count)
    }

    func testWindowSeeksAndStopsAtTheEnd() throws {
        let since = JournalFixtures.noon + 60_000_000           // 12:01:00
        let until = JournalFixtures.noon + 180_000_000 + 20_533 // 12:03:00.020533, inclusive
        let source = try JournalSource(.files([try JournalFixtures.web1()]), since: since, until: until,
                                       diagnostics: Diagnostics(echo: false))
        let entries = JournalFixtures.drain(source)
        XCTAssertEqual(entries.map(\.message), [
            "Accepted password for alice from 198.51.100.7 port 41000 ssh2",
            "pam_unix(sshd:session): session opened for user alice(uid=1000) by (uid=0)",
            "New session 3 of user alice.",
            "Failed password for root from 10.0.0.1 port 22 ssh2",
            entries[4].message,
            "Received disconnect from 198.51.100.7 port 41000:11: disconnected by user",
            "Disconnected from user alice 198.51.100.7 port 41000",
            "pam_unix(sshd:session): session closed for user alice",
        ])
        // Seeking: the 6 selected entries before 12:01:00 were never read; reading stopped at the
        // first entry after `until` without counting it.
        XCTAssertEqual(source.entriesRead, 8)
        XCTAssertTrue(entries.allSatisfy { $0.time >= since && $0.time <= until })
        XCTAssertFalse(source.next(), "stays at the end")
    }

    func testSeveralHostsInOneDirectoryInterleaveInTimeOrder() throws {
        let dir = try JournalFixtures.collection()
        let source = try JournalSource(.directory(dir), diagnostics: Diagnostics(echo: false))
        XCTAssertEqual(source.name, dir)
        XCTAssertEqual(source.files.map { ($0 as NSString).lastPathComponent }, ["remote-db1.journal", "remote-web1.journal"])
        let entries = JournalFixtures.drain(source)
        XCTAssertEqual(entries.count, 18 + 7)
        XCTAssertEqual(entries.map(\.time), entries.map(\.time).sorted())
        // db1's first line (12:00:01.25) lands between web1's 12:00:00.202351 and 12:00:02.9998.
        let hosts = entries.prefix(6).map(\.host)
        XCTAssertEqual(hosts, ["web1", "web1", "web1", "db1", "db1", "db1"])
        let db1 = entries.filter { $0.host == "db1" }
        XCTAssertEqual(db1.first?.line, "db1 sshd-session[2345]: Invalid user test from 203.0.113.5 port 50100")
        XCTAssertEqual(db1.last?.line, "db1 sshd[2000]: drop connection #0 from [203.0.113.5]:50102 on [192.0.2.20]:22 penalty: failed authentication")
        XCTAssertFalse(db1.contains { $0.spoofed })
    }

    func testCursorSelectsTheSameEntryInJournalctl() throws {
        let file = try JournalFixtures.web1()
        let source = try JournalSource(.files([file]), diagnostics: Diagnostics(echo: false))
        var location: SourceLocation?
        while source.next() {
            if source.record.messageString.hasPrefix("Failed password for invalid user admin") {
                location = source.location()
                break
            }
        }
        let loc = try XCTUnwrap(location)
        XCTAssertEqual(loc.source, file)
        XCTAssertEqual(loc.line, 0)
        let cursor = try XCTUnwrap(loc.cursor)
        XCTAssertTrue(cursor.hasPrefix("s="), cursor)
        XCTAssertEqual(loc.description, "\(file) cursor \(cursor)")

        // journalctl, given the cursor, starts at that very entry.
        let out = try JournalFixtures.run("/usr/bin/journalctl", ["--file", file, "--cursor", cursor, "-n", "1", "-o", "cat"])
        XCTAssertEqual(out.status, 0)
        XCTAssertEqual(out.stdout, "Failed password for invalid user admin from 203.0.113.5 port 50022 ssh2\n")

        // And sd-journal seeks to it.
        let j = try SDJournal.openFiles([file])
        try j.seekCursor(cursor)
        XCTAssertTrue(try j.next())
        XCTAssertTrue(j.testCursor(cursor))
        XCTAssertEqual(j.field("MESSAGE"), "Failed password for invalid user admin from 203.0.113.5 port 50022 ssh2")
    }

    func testBadCursorIsAJournalError() throws {
        let j = try SDJournal.openFiles([try JournalFixtures.web1()])
        XCTAssertThrowsError(try j.seekCursor("not-a-cursor")) { error in
            let e = error as? SSHLogError
            XCTAssertEqual(e?.code, .journal)
            XCTAssertTrue(e?.message.contains("Invalid argument") ?? false, "\(String(describing: e))")
        }
    }
}
