import Foundation
import XCTest
@testable import SSHLogCore

/// The same events from web1's journal and from the auth.log rsyslog wrote from it
/// (`Tests/Fixtures/journal/web1.auth.log`, Debian 12 RFC 3339 format, times a few hundred µs
/// later than journald's, one of them across a second boundary).
final class JournalDedupTests: XCTestCase {
    /// An owned copy of a record, so that records of two sources can be merged.
    struct Owned {
        var time: Int64
        var bytes: [UInt8]
        var host: Range<Int>, program: Range<Int>, message: Range<Int>
        var pid: Int32
        var origin: JournalDedup.Origin

        func withRecord<T>(_ body: (SyslogRecord) -> T) -> T {
            bytes.withUnsafeBytes { raw in
                body(SyslogRecord(time: time, line: raw, hostRange: host, programRange: program,
                                  messageRange: message, pid: pid, lineNumber: 0))
            }
        }

        init(_ r: SyslogRecord, origin: JournalDedup.Origin) {
            time = r.time
            bytes = Array(r.line)
            host = r.hostRange; program = r.programRange; message = r.messageRange
            pid = r.pid
            self.origin = origin
        }
    }

    /// Test-only reader for `2025-05-01T12:00:03.000150+00:00 host prog[pid]: message` (UTC only).
    static func parseRFC3339Line(_ text: Substring) throws -> Owned {
        let b = Array(text.utf8)
        func num(_ r: Range<Int>) -> Int64 { b[r].reduce(0) { $0 * 10 + Int64($1 - 48) } }
        let (y, mo, d) = (num(0..<4), num(5..<7), num(8..<10))
        let (h, mi, s, us) = (num(11..<13), num(14..<16), num(17..<19), num(20..<26))
        XCTAssertEqual(String(decoding: b[26..<32], as: UTF8.self), "+00:00")
        // Days from civil (proleptic Gregorian).
        let yy = mo <= 2 ? y - 1 : y
        let era = yy / 400, yoe = yy - era * 400
        let doy = (153 * (mo + (mo > 2 ? -3 : 9)) + 2) / 5 + d - 1
        let days = era * 146_097 + (yoe * 365 + yoe / 4 - yoe / 100 + doy) - 719_468
        let time = ((days * 86_400 + h * 3600 + mi * 60 + s) * 1_000_000) + us
        let hostStart = 34
        let hostEnd = b[hostStart...].firstIndex(of: 0x20)!
        let bracket = b[hostEnd...].firstIndex(of: UInt8(ascii: "["))!
        let close = b[bracket...].firstIndex(of: UInt8(ascii: "]"))!
        let pid = Int32(num((bracket + 1)..<close))
        let line = Array(b[hostStart...])
        let o = hostStart
        let r = SyslogRecord(time: time, line: UnsafeRawBufferPointer(start: nil, count: 0), hostRange: 0..<(hostEnd - o),
                             programRange: (hostEnd + 1 - o)..<(bracket - o), messageRange: (close + 3 - o)..<(b.count - o),
                             pid: pid, lineNumber: 0)
        var owned = Owned(r, origin: .file)
        owned.bytes = line
        return owned
    }

    func journalRecords() throws -> [Owned] {
        let source = try JournalSource(.files([try JournalFixtures.web1()]), diagnostics: Diagnostics(echo: false))
        var out: [Owned] = []
        while source.next() { out.append(Owned(source.record, origin: .journal)) }
        return out
    }

    func fileRecords() throws -> [Owned] {
        let text = try String(contentsOf: JournalFixtures.fixtureDir.appendingPathComponent("web1.auth.log"), encoding: .utf8)
        return try text.split(separator: "\n").map(Self.parseRFC3339Line)
    }

    func testForwardedAuthLogLinesAreCountedOnce() throws {
        let journal = try journalRecords()
        let file = try fileRecords()
        XCTAssertEqual(journal.count, 18)
        XCTAssertEqual(file.count, 15)
        // The auth.log line for "Failed password" is stamped 12:00:03.000000, journald's 12:00:02.999800.
        XCTAssertEqual(file[4].withRecord { $0.messageString }, "Failed password for invalid user admin from 203.0.113.5 port 50022 ssh2")
        XCTAssertEqual(file[4].time / 1_000_000, journal[3].time / 1_000_000 + 1)

        let merged = (journal + file).enumerated().sorted { ($0.element.time, $0.offset) < ($1.element.time, $1.offset) }.map(\.element)
        var dedup = JournalDedup()
        var kept: [String] = []
        for r in merged where !r.withRecord({ dedup.isDuplicate($0, from: r.origin) }) {
            kept.append(r.withRecord { "\($0.programString)[\($0.pid)]: \($0.messageString)" })
        }
        // Every auth.log line but CRON's is also in the journal; the journal also holds fail2ban,
        // the kernel lines and the spoofed logger lines, which rsyslog sent elsewhere.
        XCTAssertEqual(dedup.dropped, 14)
        XCTAssertEqual(kept.count, 18 + 1)
        XCTAssertEqual(Set(kept).count, kept.count, "no event twice")
        XCTAssertTrue(kept.contains("CRON[900]: pam_unix(cron:session): session opened for user root(uid=0) by (uid=0)"))
    }

    func testRepeatedMessagesMatchOneToOne() throws {
        let journal = try journalRecords()
        let failed = try XCTUnwrap(journal.first { $0.withRecord { $0.messageString.hasPrefix("Failed password for invalid") } })
        var twin = failed
        twin.time += 300
        var dedup = JournalDedup()
        // The same line twice in the journal (two attempts in one second) and twice in auth.log.
        var second = failed
        second.time += 400_000
        var secondTwin = second
        secondTwin.time += 250
        let stream: [(Owned, JournalDedup.Origin)] = [(failed, .journal), (twin, .file), (second, .journal), (secondTwin, .file)]
        let dup = stream.map { r, o in r.withRecord { dedup.isDuplicate($0, from: o) } }
        XCTAssertEqual(dup, [false, true, false, true])

        // Two journal copies without a file copy are both kept.
        var fresh = JournalDedup()
        XCTAssertFalse(failed.withRecord { fresh.isDuplicate($0, from: .journal) })
        XCTAssertFalse(second.withRecord { fresh.isDuplicate($0, from: .journal) })
        XCTAssertEqual(fresh.dropped, 0)
    }

    func testOutsideTheToleranceIsNotADuplicate() throws {
        let journal = try journalRecords()
        let failed = journal[3]
        var late = failed
        late.time += 1_500_000
        var dedup = JournalDedup()
        XCTAssertFalse(failed.withRecord { dedup.isDuplicate($0, from: .journal) })
        XCTAssertFalse(late.withRecord { dedup.isDuplicate($0, from: .file) })
        // A different pid is a different process.
        var other = failed
        other.pid = 1201
        other.time += 10
        XCTAssertFalse(other.withRecord { dedup.isDuplicate($0, from: .file) })
    }

    func testControlCharactersMatchRsyslogEscapes() {
        // sshd writes a tab raw to the journal; rsyslog writes it as #011.
        func record(_ text: String, _ body: (SyslogRecord) -> Bool) -> Bool {
            let bytes = Array(text.utf8)
            return bytes.withUnsafeBytes { raw in
                body(SyslogRecord(time: 5_000_000, line: raw, hostRange: 0..<4, programRange: 5..<9,
                                  messageRange: 17..<bytes.count, pid: 1200, lineNumber: 0))
            }
        }
        var dedup = JournalDedup()
        XCTAssertFalse(record("web1 sshd[1200]: Invalid user a\tb from 203.0.113.5 port 1") { dedup.isDuplicate($0, from: .journal) })
        XCTAssertTrue(record("web1 sshd[1200]: Invalid user a#011b from 203.0.113.5 port 1") { dedup.isDuplicate($0, from: .file) })
        // A file that keeps the raw byte (not written by rsyslog) matches too.
        XCTAssertFalse(record("web1 sshd[1200]: Invalid user x\u{1b}[2J from 203.0.113.5 port 1") { dedup.isDuplicate($0, from: .journal) })
        XCTAssertTrue(record("web1 sshd[1200]: Invalid user x\u{1b}[2J from 203.0.113.5 port 1") { dedup.isDuplicate($0, from: .file) })
        // '#' not followed by an octal control code is itself.
        XCTAssertFalse(record("web1 sshd[1200]: Invalid user #999 from 203.0.113.5 port 1") { dedup.isDuplicate($0, from: .journal) })
        XCTAssertTrue(record("web1 sshd[1200]: Invalid user #999 from 203.0.113.5 port 1") { dedup.isDuplicate($0, from: .file) })
        XCTAssertFalse(record("web1 sshd[1200]: Invalid user #041 from 203.0.113.5 port 1") { dedup.isDuplicate($0, from: .journal) })
        XCTAssertTrue(record("web1 sshd[1200]: Invalid user #041 from 203.0.113.5 port 1") { dedup.isDuplicate($0, from: .file) },
                      "#041 is '!', not a control character: rsyslog leaves it alone")
    }

    func testMemoryStaysBounded() {
        var dedup = JournalDedup(tolerance: 1_000_000, capacity: 100)
        let text = Array("web1 sshd[1200]: Connection closed by 203.0.113.5 port 1 [preauth]".utf8)
        text.withUnsafeBytes { raw in
            for i in 0..<10_000 {
                let r = SyslogRecord(time: Int64(i) * 10_000_000, line: raw, hostRange: 0..<4, programRange: 5..<9,
                                     messageRange: 17..<raw.count, pid: Int32(i), lineNumber: 0)
                XCTAssertFalse(dedup.isDuplicate(r, from: .journal))
            }
        }
        XCTAssertLessThanOrEqual(dedup.queue.count - dedup.head, 100)
        XCTAssertLessThan(dedup.queue.count, 5000)
        XCTAssertLessThanOrEqual(dedup.byKey.count, 100)
    }
}
