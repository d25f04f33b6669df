import Foundation
import XCTest
@testable import SSHLogCore

/// What happens when the journal is missing, empty, truncated or not a journal at all: a clear
/// message naming the file, and the rest of the run goes on.
final class JournalFailureTests: XCTestCase {
    /// A copy of the two-host collection with `remote-db1.journal` cut to 4 KiB.
    func truncatedCollection() throws -> (dir: URL, bad: String) {
        let dir = try JournalFixtures.scratch("truncated")
        let src = URL(fileURLWithPath: try JournalFixtures.collection())
        for name in ["remote-db1.journal", "remote-web1.journal"] {
            try FileManager.default.copyItem(at: src.appendingPathComponent(name), to: dir.appendingPathComponent(name))
        }
        let bad = dir.appendingPathComponent("remote-db1.journal").path
        XCTAssertEqual(truncate(bad, 4096), 0)
        return (dir, bad)
    }

    func testTruncatedFileInADirectoryIsNamedAndTheOthersAreRead() throws {
        let (dir, bad) = try truncatedCollection()
        let diag = Diagnostics(echo: false)
        let source = try JournalSource(.directory(dir.path), diagnostics: diag)
        let entries = JournalFixtures.drain(source)

        XCTAssertEqual(entries.count, 18, "web1's entries are all read")
        XCTAssertEqual(Set(entries.map(\.host)), ["web1"])
        XCTAssertEqual(diag.damagedInputs, 1)
        let message = try XCTUnwrap(diag.messages.first)
        XCTAssertEqual(message.code, .journal)
        XCTAssertEqual(message.location, bad)
        XCTAssertTrue(message.message.contains("truncated: 4096 bytes on disk"), message.message)
        XCTAssertTrue(message.hint.contains("journalctl --file \(bad) --verify"), message.hint)
    }

    func testTruncatedFileIsReadUpToTheCut() throws {
        let dir = try JournalFixtures.scratch("cut")
        let path = dir.appendingPathComponent("web1.journal").path
        try FileManager.default.copyItem(atPath: try JournalFixtures.web1(), toPath: path)
        // Cut between the first entry array and the end of the last object: in the middle of the
        // entries, the way a copy interrupted by a full disk ends.
        let header = try XCTUnwrap(FileHandle(forReadingAtPath: path)).readData(ofLength: 184)
        func u64(_ at: Int) -> UInt64 { (0..<8).reduce(UInt64(0)) { $0 | UInt64(header[at + $1]) << (8 * UInt64($1)) } }
        let tail = u64(136), entryArray = u64(176)
        let cut = Int64((entryArray + tail) / 2)
        XCTAssertEqual(truncate(path, off_t(cut)), 0)
        // journalctl refuses the whole file.
        let journalctl = try JournalFixtures.run("/usr/bin/journalctl", ["--file", path, "-o", "cat"])
        XCTAssertNotEqual(journalctl.status, 0)

        let diag = Diagnostics(echo: false)
        let source = try JournalSource(.files([path]), diagnostics: diag)
        XCTAssertEqual(source.files, [path])
        let entries = JournalFixtures.drain(source)
        XCTAssertGreaterThan(entries.count, 0)
        XCTAssertLessThan(entries.count, 18)
        // What is read is the start of the file, in order.
        XCTAssertEqual(entries.first?.line, "web1 sshd[1200]: Invalid user admin from 203.0.113.5 port 50022")
        XCTAssertEqual(entries.map(\.time), entries.map(\.time).sorted())
        XCTAssertEqual(diag.damagedInputs, 1)
        let message = try XCTUnwrap(diag.messages.first)
        XCTAssertEqual(message.location, path)
        XCTAssertTrue(message.message.hasSuffix("; reading the entries before the cut"), message.message)
        // The private copy is gone.
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: NSTemporaryDirectory()).filter { $0.hasPrefix("sshlog-salvage-") }
        XCTAssertEqual(leftovers, [])
    }

    /// Damage inside the objects (not a cut): sshlog must neither crash nor hang, and reads what
    /// sd-journal still returns. Runs the CLI so that a crash or a hang is caught (timeout).
    func testDamagedObjectsNeverCrashOrHang() throws {
        let original = try JournalFixtures.web1()
        let header = try XCTUnwrap(FileHandle(forReadingAtPath: original)).readData(ofLength: 184)
        func u64(_ at: Int) -> UInt64 { (0..<8).reduce(UInt64(0)) { $0 | UInt64(header[at + $1]) << (8 * UInt64($1)) } }
        let objectsStart = u64(104) + u64(112)  // after the data hash table
        let objectsEnd = u64(136) + 64
        let dir = try JournalFixtures.scratch("damaged")
        var outcomes: [Int32: Int] = [:]
        let steps = 24
        for k in 0..<steps {
            let path = dir.appendingPathComponent("web1-\(k).journal").path
            try FileManager.default.copyItem(atPath: original, toPath: path)
            let at = objectsStart + (objectsEnd - objectsStart) * UInt64(k) / UInt64(steps)
            let fh = try XCTUnwrap(FileHandle(forWritingAtPath: path))
            try fh.seek(toOffset: at)
            // Alternate garbage kinds: all ones (huge sizes, bad types) and zeros (empty objects).
            fh.write(Data(repeating: k % 2 == 0 ? 0xFF : 0x00, count: 48))
            try fh.close()
            let r = try TestSupport.sshlog(["events", "--no-tags", "--journal-file", path], env: ["TZ": "UTC"], timeout: 30)
            XCTAssertTrue([ExitStatus.ok.rawValue, ExitStatus.partial.rawValue, ExitStatus.noInput.rawValue].contains(r.status),
                          "damage at byte \(at): status \(r.status), stderr \(r.stderr)")
            let read = r.stdout.split(separator: "\n").count
            XCTAssertLessThanOrEqual(read, 18)
            // Losing more than the damaged entry itself is never silent.
            if read < 17 {
                XCTAssertEqual(r.status, ExitStatus.partial.rawValue, "damage at byte \(at): \(read) entries, stderr \(r.stderr)")
                XCTAssertTrue(r.stderr.contains("sshlog: \(path): journal file is damaged"), r.stderr)
            }
            outcomes[r.status, default: 0] += 1
            try FileManager.default.removeItem(atPath: path)
        }
        XCTAssertEqual(outcomes.values.reduce(0, +), steps)
    }

    func testTruncatedFileAmongJournalFilesIsSkipped() throws {
        let (dir, bad) = try truncatedCollection()
        let good = dir.appendingPathComponent("remote-web1.journal").path
        let diag = Diagnostics(echo: false)
        // sd_journal_open_files alone would refuse the whole set ("No data available").
        let source = try JournalSource(.files([bad, good]), diagnostics: diag)
        XCTAssertEqual(source.files, [good])
        XCTAssertEqual(JournalFixtures.drain(source).count, 18)
        XCTAssertEqual(diag.messages.map(\.location), [bad])
    }

    func testOnlyATruncatedFileThrowsNamingIt() throws {
        let (_, bad) = try truncatedCollection()
        XCTAssertThrowsError(try JournalSource(.files([bad]), diagnostics: Diagnostics(echo: false))) { error in
            let e = error as? SSHLogError
            XCTAssertEqual(e?.location, bad)
            XCTAssertTrue(e?.description.contains("journal file is truncated") ?? false, "\(error)")
        }
    }

    func testDirectoryWithoutJournalFiles() throws {
        let dir = try JournalFixtures.scratch("empty")
        try Data("not a journal\n".utf8).write(to: dir.appendingPathComponent("notes.txt"))
        XCTAssertThrowsError(try JournalSource(.directory(dir.path), diagnostics: Diagnostics(echo: false))) { error in
            let e = error as? SSHLogError
            XCTAssertEqual(e?.code, .noLogs)
            XCTAssertEqual(e?.location, dir.path)
            XCTAssertEqual(e?.message, "no journal files (*.journal) in this directory or its subdirectories")
        }
    }

    func testMissingDirectory() throws {
        let dir = try JournalFixtures.scratch("gone").appendingPathComponent("nothing-here").path
        XCTAssertThrowsError(try JournalSource(.directory(dir), diagnostics: Diagnostics(echo: false))) { error in
            XCTAssertEqual((error as? SSHLogError)?.code, .notFound)
            XCTAssertEqual((error as? SSHLogError)?.location, dir)
        }
    }

    func testFileThatIsNotAJournal() throws {
        let dir = try JournalFixtures.scratch("text")
        let path = dir.appendingPathComponent("auth.journal").path
        try Data("2025-05-01T12:00:00.123456+00:00 web1 sshd[1200]: Invalid user admin from 203.0.113.5 port 50022\n".utf8)
            .write(to: URL(fileURLWithPath: path))
        XCTAssertThrowsError(try JournalSource(.files([path]), diagnostics: Diagnostics(echo: false))) { error in
            let e = error as? SSHLogError
            XCTAssertEqual(e?.location, path)
            XCTAssertEqual(e?.message, "not a journal file (no LPKSHHRH signature)")
        }
    }

    func testNoLocalJournal() throws {
        guard JournalFiles.localFiles().isEmpty else {
            throw XCTSkip("this machine has a journal; the no-journal message is checked on machines without one (containers)")
        }
        XCTAssertThrowsError(try JournalSource(.local, diagnostics: Diagnostics(echo: false))) { error in
            let e = error as? SSHLogError
            XCTAssertEqual(e?.code, .noLogs)
            XCTAssertTrue(e?.message.hasPrefix("no journal on this machine") ?? false, "\(error)")
            XCTAssertTrue(e?.hint.contains("--journal-dir") ?? false)
        }
        let probe = JournalProbe.check(.local, since: nil, until: nil)
        XCTAssertFalse(probe.holdsSSHD)
        XCTAssertEqual(probe.problem?.code, .noLogs)
    }

    func testPermissionAdvice() {
        // Root reads every file, so the denial is checked on the mapping sd-journal's -EACCES gets.
        let e = SDJournal.error(-EACCES, "cannot open the journal", "journal")
        XCTAssertEqual(e.description, "journal: cannot open the journal (Permission denied); add your user to group systemd-journal or adm, or use sudo")
    }
}
