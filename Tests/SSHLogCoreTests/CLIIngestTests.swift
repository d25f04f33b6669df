import Foundation
import XCTest
@testable import SSHLogCore

/// `sshlog events` and `sshlog sources` end to end: stdin, unreadable files, exit codes, escaping.
final class CLIIngestTests: XCTestCase {
    func testStandardInput() throws {
        let r = try TestSupport.sshlog(["events", "--format", "jsonl", "-"],
                                       stdin: "Dec 10 06:55:46 LabSZ sshd[24200]: Invalid user webmaster from 173.234.31.186\n",
                                       env: ["TZ": "UTC"])
        XCTAssertEqual(r.status, 0, r.stderr)
        let obj = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as! [String: Any]
        XCTAssertEqual(obj["program"] as? String, "sshd")
        XCTAssertEqual(obj["pid"] as? Int, 24200)
        XCTAssertEqual(obj["message"] as? String, "Invalid user webmaster from 173.234.31.186")
        XCTAssertEqual(obj["source"] as? String, "-")
        XCTAssertEqual(obj["line"] as? Int, 1)
    }

    func testMissingFileIsNamedAndTheRestIsRead() throws {
        let dir = TestSupport.tempDir()
        let ok = TestSupport.write("Dec 10 06:55:46 LabSZ sshd[24200]: Invalid user webmaster from 173.234.31.186\n", to: dir.appendingPathComponent("auth.log"))
        let r = try TestSupport.sshlog(["events", ok.path, dir.appendingPathComponent("secure").path])
        XCTAssertEqual(r.status, ExitStatus.partial.rawValue)
        XCTAssertTrue(r.stdout.contains("Invalid user webmaster"))
        XCTAssertTrue(r.stderr.contains("\(dir.path)/secure: no such file"), r.stderr)
    }

    func testUnreadableFileSaysWhatToDo() throws {
        let dir = TestSupport.tempDir()
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: dir.path)
        let secret = TestSupport.write("Dec 10 06:55:46 LabSZ sshd[24200]: Invalid user webmaster from 173.234.31.186\n", to: dir.appendingPathComponent("auth.log"))
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: secret.path)
        let other = TestSupport.write("Dec 10 06:55:47 LabSZ sshd[24201]: Connection closed by 173.234.31.186 [preauth]\n", to: dir.appendingPathComponent("other.log"))
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: other.path)
        // As root the permission bits do not bite: run as nobody.
        let asUser: String? = getuid() == 0 ? "nobody" : nil
        if asUser != nil && !FileManager.default.isExecutableFile(atPath: "/usr/bin/setpriv") { throw XCTSkip("setpriv missing") }
        let r = try TestSupport.sshlog(["events", secret.path, other.path], asUser: asUser)
        if r.stderr.contains("Permission denied") && r.stdout.isEmpty && !r.stderr.contains("sshlog") {
            throw XCTSkip("the built binary is not reachable for user nobody here: \(r.stderr)")
        }
        XCTAssertEqual(r.status, ExitStatus.partial.rawValue, r.stderr)
        XCTAssertTrue(r.stderr.contains("\(secret.path): permission denied; run with sudo or add your user to group adm"), r.stderr)
        XCTAssertTrue(r.stdout.contains("Connection closed by 173.234.31.186"))
    }

    func testHostileBytesNeverReachTheTerminal() throws {
        let line = "Dec 10 06:55:46 LabSZ sshd[24200]: Invalid user r\u{1b}]0;owned\u{07}oot\u{1b}[2J from 173.234.31.186\n"
        let r = try TestSupport.sshlog(["events", "-"], stdin: line)
        XCTAssertEqual(r.status, 0)
        XCTAssertFalse(r.stdout.unicodeScalars.contains { $0.value == 0x1b || $0.value == 0x07 })
        XCTAssertTrue(r.stdout.contains("Invalid user r\\x1b]0;owned\\x07oot\\x1b[2J from 173.234.31.186"), r.stdout)
    }

    func testNoInputExitsWithCode3AndAHint() throws {
        let empty = TestSupport.tempDir()
        let r = try TestSupport.sshlog(["events", "--system-log-dir", empty.path])
        XCTAssertEqual(r.status, ExitStatus.noInput.rawValue)
        XCTAssertTrue(r.stderr.contains("nothing to read"), r.stderr)
    }

    func testBadSinceIsAUsageError() throws {
        let r = try TestSupport.sshlog(["events", "--since", "last tuesday", "-"], stdin: "")
        XCTAssertEqual(r.status, ExitStatus.usage.rawValue)
        XCTAssertTrue(r.stderr.contains("cannot read the time"), r.stderr)
    }
}
