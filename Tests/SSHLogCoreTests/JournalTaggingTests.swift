import Foundation
import XCTest
@testable import SSHLogCore

/// The pattern library works on journal input unchanged: the same events read from web1's journal
/// and from the auth.log rsyslog wrote from it get the same tags and fields. (The issue's full
/// cross-check, the same causes from `explain`, waits for the explain stage.)
final class JournalTaggingTests: XCTestCase {
    struct Tag: Hashable, CustomStringConvertible {
        var program: String, pid: Int32, second: Int64, kind: String, fields: String, spoofed: Bool
        var description: String { "\(program)[\(pid)] @\(second) \(kind) \(fields)\(spoofed ? " SPOOFED" : "")" }
    }

    func tags(_ run: IngestRun) -> [Tag] {
        var out: [Tag] = []
        run.forEachTagged(PatternLibrary.builtin()) { e in
            out.append(Tag(program: e.program, pid: e.pid, second: e.time / 1_000_000, kind: e.kind.rawValue,
                           fields: e.fields.pairs.map { "\($0.0)=\($0.1)" }.joined(separator: " "), spoofed: e.spoofed))
        }
        return out
    }

    func testSameTagsFromTheJournalAndFromAuthLog() throws {
        var journalRequest = InputRequest()
        journalRequest.readSystemLogs = false
        let fromJournal = try IngestRun.plan(journalRequest, diagnostics: Diagnostics(echo: false))
        fromJournal.extraSources.append(try JournalSource(.files([try JournalFixtures.web1()]), diagnostics: Diagnostics(echo: false)))
        let journalTags = tags(fromJournal)

        let authLog = JournalFixtures.fixtureDir.appendingPathComponent("web1.auth.log").path
        let fileTags = tags(try TestSupport.plan([authLog]))

        // The auth.log holds the sshd, logind and sshguard lines; the journal also the fail2ban and
        // kernel ones and the two spoofed lines, which rsyslog sent elsewhere.
        let shared = journalTags.filter { !$0.spoofed && $0.program != "fail2ban" && $0.program != "kernel" }
        // "Failed password" is stamped 12:00:02.9998 by journald and 12:00:03.000 by rsyslog.
        func key(_ t: Tag) -> String { "\(t.program)[\(t.pid)] \(t.kind) \(t.fields)" }
        XCTAssertEqual(shared.map(key), fileTags.map(key))
        XCTAssertGreaterThanOrEqual(fileTags.count, 8, "\(fileTags)")
        XCTAssertTrue(fileTags.contains { $0.kind == "auth.failed" })

        // The spoofed `logger -t sshd` line is tagged like a real failure, and marked.
        let spoofed = journalTags.filter(\.spoofed)
        XCTAssertTrue(spoofed.contains { $0.program == "sshd" && $0.pid == 4242 && $0.kind == "auth.failed" }, "\(spoofed)")
        XCTAssertFalse(fileTags.contains { $0.spoofed }, "files cannot tell")
    }
}
