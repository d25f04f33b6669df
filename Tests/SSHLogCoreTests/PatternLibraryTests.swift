import Foundation
import XCTest
@testable import SSHLogCore

/// The built-in library: every example of every pattern file, the embedded copy, the public API.
final class PatternLibraryTests: XCTestCase {
    let lib = PatternLibrary.builtin()

    static var repoRoot: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }

    func testEveryBuiltinExampleGivesItsExpectedFields() {
        var examples = 0
        for (i, p) in lib.patterns.enumerated() {
            XCTAssertFalse(p.examples.isEmpty, "\(p.id) (\(p.location)) has no example")
            for ex in p.examples {
                let program = p.programs[0].hasSuffix("*") ? String(p.programs[0].dropLast()) : p.programs[0]
                let m = lib.match(program, ex.message)
                XCTAssertEqual(m?.patternIndex, i, "\(ex.location): \(ex.message)")
                var want = EventFields()
                for (k, v) in lib.specs[i].constants { want.set(k, v) }
                for (k, v) in ex.expected ?? [] { want.set(k, v) }
                XCTAssertEqual(m?.fields, want, "\(ex.location)")
                examples += 1
            }
        }
        XCTAssertGreaterThan(examples, 100)
        XCTAssertTrue(lib.warnings.isEmpty, lib.warnings.map(\.description).joined(separator: "\n"))
    }

    func testEmbeddedFilesEqualPatternsDirectory() throws {
        let script = Self.repoRoot.appendingPathComponent("scripts/embed-patterns.sh")
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/sh")
        p.arguments = [script.path, "--stdout"]
        let pipe = Pipe()
        p.standardOutput = pipe
        try p.run()
        let out = pipe.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        XCTAssertEqual(p.terminationStatus, 0)
        let generated = try Data(contentsOf: Self.repoRoot.appendingPathComponent("Sources/SSHLogCore/Patterns/BuiltinPatterns.swift"))
        XCTAssertEqual(out, generated, "BuiltinPatterns.swift is stale: run scripts/embed-patterns.sh")
        // And the embedded text is the files' text.
        for f in BuiltinPatterns.files {
            let disk = try String(contentsOf: Self.repoRoot.appendingPathComponent("patterns/" + f.name), encoding: .utf8)
            XCTAssertEqual(f.text + "\n", disk.hasSuffix("\n") ? disk : disk + "\n", f.name)
        }
    }

    func testEveryProgramGroupOfTheIssueIsCovered() {
        let programs = Set(lib.patterns.flatMap(\.programs))
        for p in ["sshd", "sshd-session", "sshd-auth", "systemd-logind", "fail2ban*", "sshguard", "kernel"] {
            XCTAssert(programs.contains(p), p)
        }
        // One trie serves the three sshd program names.
        XCTAssertEqual(lib.match("sshd-session", "Connection closed by 192.0.2.1 port 4 [preauth]")?.kind, .connClosed)
        XCTAssertEqual(lib.match("sshd-auth", "Connection closed by 192.0.2.1 port 4 [preauth]")?.kind, .connClosed)
    }

    func testOtherProgramsAndUnknownMessagesGiveNil() {
        XCTAssertNil(lib.match("cron", "Failed password for root from 192.0.2.1 port 22 ssh2"))
        XCTAssertNil(lib.match("sshd", "Server listening on nowhere"))
        XCTAssertNil(lib.match("sshd", ""))
        XCTAssertNil(lib.match("", "Failed password for root from 192.0.2.1 port 22 ssh2"))
        XCTAssertNil(lib.match("sshdx", "Failed password for root from 192.0.2.1 port 22 ssh2"))
    }

    func testMatchesAgreesWithMatch() {
        for p in lib.patterns {
            for ex in p.examples {
                let prog = Array(p.programs[0].replacingStar.utf8), msg = Array(ex.message.utf8)
                XCTAssert(prog.withUnsafeBytes { pb in msg.withUnsafeBytes { lib.matches(program: pb, message: $0) } }, ex.location)
            }
        }
        let prog = Array("sshd".utf8), msg = Array("debug1: nothing to see".utf8)
        XCTAssertFalse(prog.withUnsafeBytes { pb in msg.withUnsafeBytes { lib.matches(program: pb, message: $0) } })
    }

    func testSSHDFamily() {
        for (p, want) in [("sshd", true), ("sshd-session", true), ("sshd-auth", true), ("sshguard", false), ("ssh", false)] {
            let b = Array(p.utf8)
            XCTAssertEqual(b.withUnsafeBytes { lib.isSSHDFamily($0) }, want, p)
        }
    }

    func testFail2banProgramNamesAndLevelWords() {
        let m = lib.match("fail2ban.actions", "NOTICE  [sshd] Ban 203.0.113.9")
        XCTAssertEqual(m?.kind, .f2bBan)
        XCTAssertEqual(m?.fields.client, "203.0.113.9")
        XCTAssertEqual(m?.fields.jail, "sshd")
        XCTAssertEqual(m?.fields.level, "NOTICE")
        XCTAssertEqual(lib.match("fail2ban", "[sshd] Unban 203.0.113.9")?.kind, .f2bUnban)
        XCTAssertEqual(lib.match("fail2ban.filter", "[sshd] Found 203.0.113.9 - 2025-05-01 12:00:00")?.kind, .f2bFound)
        XCTAssertEqual(lib.match("fail2ban.actions", "[sshd] Restore Ban 203.0.113.9")?.kind, .f2bRestore)
    }

    func testTagBuildsATaggedEventFromARecord() {
        let line = Array("May  1 12:00:00 web1 sshd[812]: Failed password for root from 203.0.113.9 port 4711 ssh2".utf8)
        let ev: TaggedEvent? = line.withUnsafeBytes { buf in
            let rec = SyslogRecord(time: 42, line: buf, hostRange: 16..<20, programRange: 21..<25, messageRange: 32..<buf.count,
                                   pid: 812, lineNumber: 7)
            return lib.tag(rec, location: { SourceLocation(source: "auth.log", line: 7) })
        }
        XCTAssertEqual(ev?.kind, .authFailed)
        XCTAssertEqual(ev?.patternID, "sshd.auth.failed")
        XCTAssertEqual(ev?.host, "web1")
        XCTAssertEqual(ev?.program, "sshd")
        XCTAssertEqual(ev?.pid, 812)
        XCTAssertEqual(ev?.time, 42)
        XCTAssertEqual(ev?.fields.client, "203.0.113.9")
        XCTAssertEqual(ev?.location.description, "auth.log:7")
        XCTAssertEqual(ev?.message, "Failed password for root from 203.0.113.9 port 4711 ssh2")
    }

    /// The lead's benchmark doubles the library by copying every file under other program names:
    /// that must compile, and matching the original programs must give the same results.
    func testDoubledLibraryCompilesAndMatchesTheSame() throws {
        let doubled = try PatternLibrary.compile(Self.doubledBuiltinFiles())
        XCTAssertEqual(doubled.patterns.count, 2 * lib.patterns.count)
        for p in lib.patterns {
            for ex in p.examples {
                let program = p.programs[0].hasSuffix("*") ? String(p.programs[0].dropLast()) : p.programs[0]
                XCTAssertEqual(doubled.match(program, ex.message)?.patternID, p.id)
                XCTAssertEqual(doubled.match(program + "-copy", ex.message)?.patternID, "copy." + p.id)
            }
        }
    }

    /// The built-in files, plus each again with ids prefixed `copy.` and programs suffixed `-copy`.
    static func doubledBuiltinFiles() -> [(name: String, text: String)] {
        var files = BuiltinPatterns.files
        for f in BuiltinPatterns.files {
            var out: [String] = []
            for line in f.text.split(separator: "\n", omittingEmptySubsequences: false) {
                let t = line.drop { $0 == " " }
                if t.hasPrefix("programs ") {
                    out.append("programs " + t.dropFirst(9).split(separator: " ").map {
                        $0.hasSuffix("*") ? $0.dropLast() + "-copy" : $0 + "-copy"
                    }.joined(separator: " "))
                } else if t.hasPrefix("pattern ") {
                    out.append("pattern copy." + t.dropFirst(8))
                } else if t.hasPrefix("define ") {
                    continue
                } else {
                    out.append(String(line))
                }
            }
            files.append(("copy-" + f.name, out.joined(separator: "\n")))
        }
        return files
    }

    /// Mutated examples and random bytes never crash the matcher, and each message is decided
    /// within the backtracking bound (no hang on hostile input).
    func testMutatedAndRandomMessagesAreHandled() {
        var seed: UInt64 = 0x5eed_1234_abcd_9876
        func next() -> UInt64 { seed ^= seed << 13; seed ^= seed >> 7; seed ^= seed << 17; return seed }
        let alphabet = Array(" :[]()<>\"'.-_0123456789abcdefABCDEFfromportuserinvalid\t\r\u{ff}".utf8)
        let examples = lib.patterns.flatMap { p in p.examples.map { (p.programs[0].replacingStar, Array($0.message.utf8)) } }
        var matched = 0
        for i in 0..<20_000 {
            var (program, msg) = examples[i % examples.count]
            let edits = Int(next() % 6)
            for _ in 0..<edits where !msg.isEmpty {
                let at = Int(next() % UInt64(msg.count))
                switch next() % 4 {
                case 0: msg[at] = alphabet[Int(next() % UInt64(alphabet.count))]
                case 1: msg.remove(at: at)
                case 2: msg.insert(contentsOf: msg[at...].prefix(Int(next() % 40)), at: at)
                default: msg.insert(alphabet[Int(next() % UInt64(alphabet.count))], at: at)
                }
            }
            if i % 10 == 0 { msg = (0..<Int(next() % 600)).map { _ in UInt8(truncatingIfNeeded: next()) } }
            let p = Array(program.utf8)
            let m = p.withUnsafeBytes { pb in msg.withUnsafeBytes { lib.match(program: pb, message: $0) } }
            if m != nil { matched += 1 }
        }
        XCTAssertGreaterThan(matched, 5_000)
    }
}

