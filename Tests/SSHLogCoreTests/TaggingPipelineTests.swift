import Foundation
import XCTest
@testable import SSHLogCore

/// Reading on one thread and tagging on workers hands the caller exactly what a plain loop over the
/// source gives: the same records, tags, fields and locations, in the same order, across many
/// batch boundaries, with one to three workers racing, and with batches that must grow for long
/// lines.
final class TaggingPipelineTests: XCTestCase {
    struct Seen: Equatable {
        var time: Int64, line: String, kind: String?, fields: String, location: String?
    }

    static var samplePaths: [String] {
        let dir = TestSupport.repoRoot.appendingPathComponent("samples").path
        return ["auth.log", "auth.log.1", "auth.log.2.gz", "auth-rfc3339.log", "fail2ban.log"].map { dir + "/" + $0 }
    }

    /// What a single-threaded loop over the run's source sees.
    func sequential(_ run: IngestRun, tagOnly: Bool) -> [Seen] {
        let lib = PatternLibrary.builtin()
        var out: [Seen] = []
        let src = run.makeSource()
        while src.next() {
            let r = src.record
            let tag = r.malformed ? nil : lib.tag(r, location: { src.location() })
            if tagOnly && tag == nil { continue }
            out.append(Seen(time: r.time, line: r.lineString, kind: tag?.kind.rawValue,
                            fields: tag.map { Self.text($0.fields) } ?? "", location: (tag?.location ?? src.location()).description))
        }
        return out
    }

    static func text(_ f: EventFields) -> String { f.pairs.map { "\($0.0)=\($0.1)" }.joined(separator: " ") }

    func testRecordsAndTagsMatchAPlainLoopAcrossBatches() throws {
        let want = sequential(try TestSupport.plan(Self.samplePaths, since: "@0"), tagOnly: false)
        XCTAssertGreaterThan(want.count, 200)
        XCTAssertGreaterThan(want.filter { $0.kind != nil }.count, 100)
        for size in [1, 3, 2048] {
            for workers in [0, 1, 2, 3] {
                var got: [Seen] = []
                try TestSupport.plan(Self.samplePaths, since: "@0")
                    .forEachRecord(tagging: PatternLibrary.builtin(), locations: true, accepts: { _ in true },
                                   batchSize: size, workers: workers) { r, loc, tag in
                        got.append(Seen(time: r.time, line: r.lineString, kind: tag?.kind.rawValue,
                                        fields: tag.map { Self.text($0.fields) } ?? "", location: loc?.description))
                    }
                XCTAssertEqual(got, want, "batch size \(size), \(workers) workers")
            }
        }
        // Without a library: the same records, none tagged.
        var plain: [Seen] = []
        try TestSupport.plan(Self.samplePaths, since: "@0")
            .forEachRecord(tagging: nil, locations: true, accepts: { _ in true }, batchSize: 7) { r, loc, tag in
                plain.append(Seen(time: r.time, line: r.lineString, kind: tag?.kind.rawValue, fields: "", location: loc?.description))
            }
        XCTAssertEqual(plain, want.map { Seen(time: $0.time, line: $0.line, kind: nil, fields: "", location: $0.location) })
    }

    func testTaggedEventsMatchAPlainLoopAcrossBatches() throws {
        let want = sequential(try TestSupport.plan(Self.samplePaths, since: "@0"), tagOnly: true)
        for size in [1, 5, 2048] {
            for workers in [0, 1, 2, 3] {
                var got: [Seen] = []
                try TestSupport.plan(Self.samplePaths, since: "@0").forEachTagged(PatternLibrary.builtin(), batchSize: size, workers: workers) { e in
                    got.append(Seen(time: e.time, line: "", kind: e.kind.rawValue, fields: Self.text(e.fields), location: e.location.description))
                }
                XCTAssertEqual(got.map(\.fields), want.map(\.fields), "batch size \(size), \(workers) workers")
                XCTAssertEqual(got.map(\.location), want.map(\.location), "batch size \(size), \(workers) workers")
            }
        }
    }

    /// sshd logs an attacker's user name as sent; 40,000 bytes of it overflow a batch's buffer.
    func testLongLinesGrowTheBatch() throws {
        let path = TestSupport.tempDir().appendingPathComponent("auth.log").path
        let name = String(repeating: "A", count: 40_000)
        var text = ""
        for i in 0..<40 {
            text += "Nov 22 10:00:\(10 + i % 40) web1 sshd[\(4000 + i)]: Invalid user \(name)\(i) from 203.0.113.\(i + 1) port 4\(1000 + i)\n"
        }
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        var clients: [String] = []
        var lengths: [Int] = []
        try TestSupport.plan([path], since: "@0")
            .forEachRecord(tagging: PatternLibrary.builtin(), locations: false, accepts: { _ in true }, batchSize: 64) { r, _, tag in
                clients.append(tag?.fields.client ?? "-")
                lengths.append(r.message.count)
            }
        XCTAssertEqual(clients, (0..<40).map { "203.0.113.\($0 + 1)" })
        XCTAssertTrue(lengths.allSatisfy { $0 > 40_000 }, "\(lengths)")
    }
}

/// What events hold by number (pattern ids, source names, `set` constants) reads back as the
/// Strings, whatever thread made the event, and assigning the properties works as before.
final class InternedNamesTests: XCTestCase {
    func testConstantsIdsAndLocationsReadBack() throws {
        let dir = TestSupport.tempDir()
        let path = dir.appendingPathComponent("auth.log").path
        try """
        Nov 22 10:00:01 web1 sshd[4001]: banner exchange: Connection from 192.0.2.12 port 44105: invalid format
        Nov 22 10:00:02 web1 sshd[4002]: Failed password for invalid user admin from 203.0.113.5 port 50022 ssh2

        """.write(toFile: path, atomically: true, encoding: .utf8)
        // Events are handed over borrowed from their batch; what is kept is `owned()` (batches of
        // one line, reused at once: in debug builds a reused batch's bytes are overwritten).
        var got: [TaggedEvent] = []
        var borrowed = 0
        try TestSupport.plan([path], since: "@0").forEachTagged(PatternLibrary.builtin(), batchSize: 1, workers: 2) {
            if $0.isBorrowed { borrowed += 1 }
            got.append($0.owned())
        }
        XCTAssertEqual(borrowed, 2)
        XCTAssertFalse(got.contains { $0.isBorrowed })
        XCTAssertEqual(got.map(\.message), ["banner exchange: Connection from 192.0.2.12 port 44105: invalid format",
                                            "Failed password for invalid user admin from 203.0.113.5 port 50022 ssh2"])
        XCTAssertEqual(got[1].fields.user, "admin")
        XCTAssertEqual(got.count, 2)
        XCTAssertEqual(got[0].patternID, "sshd.banner.exchange-invalid")
        XCTAssertEqual(got[0].fields.reason, "invalid format", "a `set` constant")
        XCTAssertEqual(got[0].location, SourceLocation(source: path, line: 1))
        XCTAssertEqual(got[1].location.line, 2)
        XCTAssertEqual(got[1].fields.user, "admin")
        XCTAssertTrue(got[1].fields.invalid)

        var e = got[0]
        e.fields.reason = "changed"
        e.patternID = "local.test"
        e.location = SourceLocation(source: "journal", line: 0, cursor: "s=abc")
        XCTAssertEqual(e.fields.reason, "changed")
        XCTAssertEqual(e.patternID, "local.test")
        XCTAssertEqual(e.location.cursor, "s=abc")
        XCTAssertEqual(got[0].fields.reason, "invalid format", "the copy is unchanged")
        XCTAssertEqual(InternedNames.name(InternedNames.id("local.test")), "local.test")
        XCTAssertEqual(InternedNames.id("local.test"), InternedNames.id(String("local.") + "test"))
    }
}
