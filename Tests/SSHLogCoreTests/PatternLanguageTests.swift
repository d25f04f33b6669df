import Foundation
import XCTest
@testable import SSHLogCore

/// The pattern language: syntax, field types, the matcher's placement rules, the front end, and
/// errors that point at file:line.
final class PatternLanguageTests: XCTestCase {
    private func compile(_ text: String, name: String = "t.patterns") throws -> PatternLibrary {
        try PatternLibrary.compile([(name, text)])
    }

    private func assertError(_ text: String, at place: String, contains: String, hint: String? = nil,
                             file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try compile(text), file: file, line: line) { error in
            guard let e = error as? SSHLogError else { return XCTFail("not an SSHLogError: \(error)", file: file, line: line) }
            XCTAssertEqual(e.code, .badPattern, file: file, line: line)
            XCTAssertEqual(e.location, place, file: file, line: line)
            XCTAssert(e.message.contains(contains), "\(e.message)", file: file, line: line)
            if let hint { XCTAssert(e.hint.contains(hint), e.hint, file: file, line: line) }
        }
    }

    let head = "programs sshd\nlevels error: fatal:\nphases preauth\n"

    // MARK: errors point at file:line

    func testUnknownFieldTypeNamesFileLineAndKnownTypes() {
        assertError(head + "\npattern a.b\n  kind auth.failed\n  template Failed for <user:usr> from <client:host>\n",
                    at: "t.patterns:7", contains: "unknown field type 'usr'", hint: "user")
    }

    func testUnknownKind() {
        assertError(head + "pattern a.b\nkind auth.fail\ntemplate x\n", at: "t.patterns:5", contains: "unknown kind 'auth.fail'", hint: "auth.failed")
    }

    func testExampleThatDoesNotMatch() {
        assertError(head + "pattern a.b\nkind auth.failed\ntemplate Failed <method:word> for <user:user> from <client:host>\nexample Failed password by root\nexpect\n",
                    at: "t.patterns:7", contains: "matches no pattern", hint: "sshlog patterns test")
    }

    func testExampleWithOtherFields() {
        assertError(head + "pattern a.b\nkind auth.failed\ntemplate Failed <method:word> for <user:user>\nexample Failed password for root\nexpect method=password user=admin\n",
                    at: "t.patterns:7", contains: "got [user=root method=password]")
    }

    func testExampleWithoutExpectSuggestsOne() {
        assertError(head + "pattern a.b\nkind auth.failed\ntemplate Failed <method:word> for <user:user>\nexample Failed password for root\n",
                    at: "t.patterns:7", contains: "no 'expect' line", hint: "expect user=root method=password")
    }

    func testExampleMatchedByAnotherPattern() {
        assertError(head + "pattern a.one\nkind auth.failed\ntemplate Failed <method:word> for root\n"
                    + "pattern a.two\nkind auth.failed\ntemplate Failed <method:word> for <user:user>\nexample Failed x for root\nexpect method=x\n",
                    at: "t.patterns:10", contains: "matched by pattern 'a.one'")
    }

    func testStructuralErrors() {
        assertError(head + "pattern a.b\nkind auth.failed\ntemplate a [? b\n", at: "t.patterns:6", contains: "without a closing '?]'")
        assertError(head + "pattern a.b\nkind auth.failed\ntemplate a <r:rest> b\n", at: "t.patterns:6", contains: "must be the last")
        assertError(head + "pattern a.b\nkind auth.failed\ntemplate a <u:user><p:int>\n", at: "t.patterns:6", contains: "followed by literal text")
        assertError(head + "pattern a.b\nkind auth.failed\ntemplate a <@nope>\n", at: "t.patterns:6", contains: "unknown macro")
        assertError(head + "kind auth.failed\n", at: "t.patterns:4", contains: "outside a pattern")
        assertError(head + "pattern a.b\ntemplate x\n", at: "t.patterns:4", contains: "no 'kind'")
        assertError(head + "pattern a.b\nkind auth.failed\n", at: "t.patterns:4", contains: "no 'template'")
        assertError(head + "pattern a.b\nkind auth.failed\ntemplate x\npattern a.b\nkind auth.failed\ntemplate y\n",
                    at: "t.patterns:7", contains: "already used at t.patterns:4")
        assertError("pattern a.b\nkind auth.failed\ntemplate x\n", at: "t.patterns:1", contains: "before any 'programs'")
        assertError(head + "pattern a.b\nkind auth.failed\ntemplate x\npattern a.c\nkind conn.closed\ntemplate x\n",
                    at: "t.patterns:9", contains: "same as one of pattern 'a.b'")
        assertError(head + "pattern a.b\nkind auth.failed\ntemplatex y\n", at: "t.patterns:6", contains: "unknown keyword 'templatex'")
        assertError(head + "pattern a.b\nkind auth.failed\ntemplate x\nexample x\nexpect user=\"open\n", at: "t.patterns:8", contains: "unterminated")
    }

    func testErrorInASecondFileNamesThatFile() {
        XCTAssertThrowsError(try PatternLibrary.compile([("one.patterns", head + "pattern a.b\nkind auth.failed\ntemplate x\n"),
                                                         ("two.patterns", head + "pattern a.c\nkind auth.failed\ntemplate <a:ipv5>\n")])) {
            XCTAssertEqual(($0 as? SSHLogError)?.location, "two.patterns:6")
        }
    }

    func testMissingExampleIsAWarningNotAnError() throws {
        let lib = try compile(head + "pattern a.b\nkind auth.failed\ntemplate x\n")
        XCTAssertEqual(lib.warnings.map(\.location), ["t.patterns:4"])
        XCTAssert(lib.warnings[0].message.contains("no example"))
    }

    // MARK: language features

    func testOptionalPartsAlternativesAndConstants() throws {
        let lib = try compile(head + """
        pattern a.b
          kind auth.failed
          template Failed for [?invalid user <invalid=yes>|bad user <reason=bad>?]<user:user> from <client:host>[? port <port:int>?]
          example Failed for invalid user x from 192.0.2.1 port 4
          expect invalid=yes user=x client=192.0.2.1 port=4
        """)
        XCTAssertEqual(fieldMap(lib.match("sshd", "Failed for bad user x from 192.0.2.1")), ["reason": "bad", "user": "x", "client": "192.0.2.1"])
        XCTAssertEqual(fieldMap(lib.match("sshd", "Failed for x from h.example")), ["user": "x", "client": "h.example"])
    }

    func testLiteralAngleBracketsAndEscapes() throws {
        let lib = try compile(head + "pattern a.b\nkind auth.failed\ntemplate for <invalid username> from <client:ip> \\<x:int> \\[?\n")
        XCTAssertEqual(lib.match("sshd", "for <invalid username> from 192.0.2.1 <x:int> [?")?.fields.client, "192.0.2.1")
    }

    func testSetConstantsAndAnonymousFields() throws {
        let lib = try compile(head + "pattern a.b\nkind auth.failed\ntemplate x <_:int> <n:int>\nset invalid=yes reason=\"by rule\"\n")
        XCTAssertEqual(fieldMap(lib.match("sshd", "x 1 2")), ["invalid": "yes", "reason": "by rule", "n": "2"])
    }

    func testFallbackTemplatesOnlyWhenNoRegularTemplateMatches() throws {
        let lib = try compile(head + """
        pattern a.with-from
          kind auth.not-allowed
          template User <user:user> from <client:host> not allowed because <reason:rest>
        pattern a.without
          kind auth.not-allowed
          fallback User <user:user> not allowed because <reason:rest>
        """)
        XCTAssertEqual(lib.match("sshd", "User a b from 192.0.2.1 not allowed because x")?.patternID, "a.with-from")
        XCTAssertEqual(lib.match("sshd", "User a b not allowed because x")?.patternID, "a.without")
    }

    func testTextIsShortestAndUserIsLongest() throws {
        let lib = try compile(head + "pattern a.t\nkind auth.failed\ntemplate T <a:text> = <b:rest>\npattern a.u\nkind auth.failed\ntemplate U <a:user> = <b:rest>\n")
        XCTAssertEqual(fieldMap(lib.match("sshd", "T x = y = z")), ["a": "x", "b": "y = z"])
        XCTAssertEqual(fieldMap(lib.match("sshd", "U x = y = z")), ["a": "x = y", "b": "z"])
    }

    func testWordGivesBackTrailingPunctuation() throws {
        let lib = try compile(head + "pattern a.b\nkind logind.removed\ntemplate Removed session <session:word>.\n")
        XCTAssertEqual(lib.match("sshd", "Removed session c12.")?.fields.session, "c12")
    }

    func testAddressTypes() throws {
        let lib = try compile(head + "pattern a.b\nkind conn.closed\ntemplate A <client:ip> B\npattern a.c\nkind conn.closed\ntemplate C <client:ipv4> D\npattern a.d\nkind conn.closed\ntemplate E <client:ipv6> F\n")
        for (addr, want) in [("192.0.2.1", "192.0.2.1"), ("::ffff:192.0.2.1", "192.0.2.1"), ("::FFFF:192.0.2.1", "192.0.2.1"),
                             ("2001:db8::1", "2001:db8::1"), ("fe80::1%eth0", "fe80::1%eth0"), ("::1", "::1"),
                             ("2606:2800:220:1:248:1893:25c8:1946", "2606:2800:220:1:248:1893:25c8:1946")] {
            XCTAssertEqual(lib.match("sshd", "A \(addr) B")?.fields.client, want, addr)
        }
        for bad in ["256.0.0.1", "1.2.3", "1.2.3.4.5", "example.com", "1:2:3", "2001:db8:::1"] {
            XCTAssertNil(lib.match("sshd", "A \(bad) B"), bad)
        }
        XCTAssertNil(lib.match("sshd", "C 2001:db8::1 D"))
        XCTAssertNil(lib.match("sshd", "E 192.0.2.1 F"))
    }

    // MARK: front end

    func testLevelPhaseRepeatedAndPrefixes() throws {
        let lib = PatternLibrary.builtin()
        let f = fieldMap(lib.match("sshd", "error: maximum authentication attempts exceeded for root from 192.0.2.1 port 4 ssh2 [preauth]  "))
        XCTAssertEqual(f["level"], "error")
        XCTAssertEqual(f["phase"], "preauth")
        XCTAssertEqual(lib.match("sshd", "Connection closed by 192.0.2.1 port 4 [net]")?.fields.phase, "net")
        XCTAssertEqual(lib.match("sshd", "Connection closed by 192.0.2.1 port 4 [postauth]")?.fields.phase, "postauth")
        XCTAssertNil(lib.match("sshd", "Connection closed by 192.0.2.1 port 4 [other]"))
        XCTAssertEqual(lib.match("sshd", "[ID 800047 auth.info] Failed password for x from 192.0.2.1 port 4 ssh2")?.kind, .authFailed)
        XCTAssertEqual(lib.match("sshd", "message repeated 3 times: [ Failed password for x from 192.0.2.1 port 4 ssh2]")?.fields.extra["repeated"], "3")
        XCTAssertEqual(lib.match("kernel", "[12345.678901] [UFW BLOCK] IN=eth0 OUT= MAC=00 SRC=192.0.2.1 DST=192.0.2.2 LEN=60 TOS=0x00 PROTO=TCP SPT=4 DPT=22 WINDOW=1 SYN URGP=0")?.kind, .firewallBlock)
        XCTAssertNil(lib.match("kernel", "[UFW BLOCK] IN=eth0 OUT= MAC=00 SRC=192.0.2.1 DST=192.0.2.2 LEN=60 TOS=0x00 PROTO=TCP SPT=4 DPT=80 WINDOW=1 SYN URGP=0"))
    }

    func testBacktrackingIsBounded() throws {
        let lib = try compile(head + "pattern a.b\nkind auth.failed\ntemplate <a:text> x <b:text> y <c:text> z <d:text> w\n")
        let hostile = String(repeating: "x y z ", count: 300)
        let start = DispatchTime.now().uptimeNanoseconds
        XCTAssertNil(lib.match("sshd", hostile))
        XCTAssertLessThan(DispatchTime.now().uptimeNanoseconds - start, 2_000_000_000)
    }

    // MARK: directories

    func testExtraDirectories() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("sshlog-patterns-\(getpid())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        try (head + "pattern site.hello\nkind conn.open\ntemplate hello from <client:ip>\nexample hello from 192.0.2.1\nexpect client=192.0.2.1\n")
            .write(to: dir.appendingPathComponent("site.patterns"), atomically: true, encoding: .utf8)
        try "not a pattern file".write(to: dir.appendingPathComponent("README"), atomically: true, encoding: .utf8)
        let lib = try PatternLibrary.withExtraDirectories(["/etc/sshlog/patterns.d", dir.path])
        XCTAssertEqual(lib.match("sshd", "hello from 192.0.2.1")?.patternID, "site.hello")
        XCTAssertEqual(lib.match("sshd", "Connection closed by 192.0.2.1 port 4")?.kind, .connClosed)
        XCTAssertThrowsError(try PatternLibrary.withExtraDirectories(["/nonexistent/patterns"])) {
            XCTAssertEqual(($0 as? SSHLogError)?.code, .notFound)
        }
        try (head + "pattern site.bad\nkind conn.open\ntemplate <x:nope>\n").write(to: dir.appendingPathComponent("z.patterns"), atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try PatternLibrary.withExtraDirectories([dir.path])) {
            XCTAssertEqual(($0 as? SSHLogError)?.location, dir.path + "/z.patterns:6")
        }
    }

    func testLineSplitter() {
        let a = LogLineSplitter("2025-05-01T12:00:00.123456+02:00 web1 sshd-session[1200]: Accepted x", defaultProgram: "sshd")
        XCTAssertEqual([a.host, a.program, a.message], ["web1", "sshd-session", "Accepted x"]); XCTAssertEqual(a.pid, 1200)
        let b = LogLineSplitter("2025-05-01 12:00:02,456 fail2ban.actions        [812]: NOTICE  [sshd] Ban 203.0.113.5", defaultProgram: "sshd")
        XCTAssertEqual([b.program, b.message], ["fail2ban.actions", "NOTICE  [sshd] Ban 203.0.113.5"])
        let c = LogLineSplitter("May  1 12:00:00 fw kernel: [  1.2] [UFW BLOCK] IN=", defaultProgram: "sshd")
        XCTAssertEqual([c.host, c.program, c.message], ["fw", "kernel", "[  1.2] [UFW BLOCK] IN="])
        let d = LogLineSplitter("error: PAM: Authentication failure for x from y", defaultProgram: "sshd")
        XCTAssertEqual([d.program, d.message], ["sshd", "error: PAM: Authentication failure for x from y"])
        let e = LogLineSplitter("<38>1 2019-07-08T17:40:17Z h sshd 55 - [a b=\"[x]\"] Failed x", defaultProgram: "y")
        XCTAssertEqual([e.host, e.program, e.message], ["h", "sshd", "Failed x"])
    }
}

/// `sshlog patterns check DIR` end to end: exit status 4 and a file:line message on a bad file.
final class PatternsCommandTests: XCTestCase {
    func testCheckExitsWithPatternErrorStatus() throws {
        let bin = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent(".build/debug/sshlog")
        guard FileManager.default.isExecutableFile(atPath: bin.path) else {
            throw XCTSkip("SKIPPED: \(bin.path) not built (run swift build first)")
        }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("sshlog-check-\(getpid())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let good = "programs sshd\npattern site.ok\nkind conn.open\ntemplate hello from <client:ip>\nexample hello from 192.0.2.1\nexpect client=192.0.2.1\n"
        try good.write(to: dir.appendingPathComponent("a.patterns"), atomically: true, encoding: .utf8)

        func run(_ args: [String]) throws -> (Int32, String, String) {
            let p = Process()
            p.executableURL = bin
            p.arguments = args
            let out = Pipe(), err = Pipe()
            p.standardOutput = out
            p.standardError = err
            try p.run()
            let o = out.fileHandleForReading.readDataToEndOfFile(), e = err.fileHandleForReading.readDataToEndOfFile()
            p.waitUntilExit()
            return (p.terminationStatus, String(decoding: o, as: UTF8.self), String(decoding: e, as: UTF8.self))
        }
        let (ok, okOut, _) = try run(["patterns", "check", dir.path])
        XCTAssertEqual(ok, 0)
        XCTAssert(okOut.contains("1 patterns, 1 examples: all match"), okOut)

        let bad = good.replacingOccurrences(of: "expect client=192.0.2.1", with: "expect client=192.0.2.2")
        try bad.write(to: dir.appendingPathComponent("a.patterns"), atomically: true, encoding: .utf8)
        let (status, _, err) = try run(["patterns", "check", dir.path])
        XCTAssertEqual(status, ExitStatus.patternError.rawValue)
        XCTAssert(err.contains(dir.path + "/a.patterns:5: example of 'site.ok' gives other fields"), err)

        let (t, tOut, _) = try run(["patterns", "test", "Jan  1 00:00:00 h sshd-session[9]: Connection closed by 192.0.2.7 port 4 [preauth]"])
        XCTAssertEqual(t, 0)
        XCTAssert(tOut.contains("kind:    conn.closed") && tOut.contains("client = 192.0.2.7") && tOut.contains("phase = preauth"), tOut)
        let (n, nOut, _) = try run(["patterns", "test", "nothing like sshd"])
        XCTAssertEqual(n, 1)
        XCTAssert(nOut.contains("no pattern matched"), nOut)
    }
}
