import XCTest
@testable import SSHLogCore

/// A user name is whatever the client sent: it may contain spaces, "from", "port" and addresses.
/// None of that may move the client address sshlog extracts (issue 3, "Hostile input").
final class HostileUserNameTests: XCTestCase {
    let lib = PatternLibrary.builtin()
    let crafted = "root from 10.0.0.1 port 22"

    private func assertClient(_ message: String, _ kind: EventKind, client: String, port: String?, user: String?,
                              file: StaticString = #filePath, line: UInt = #line) {
        let m = lib.match("sshd", message)
        XCTAssertEqual(m?.kind, kind, message, file: file, line: line)
        let f = fieldMap(m)
        XCTAssertEqual(f["client"], client, message, file: file, line: line)
        XCTAssertEqual(f["port"], port, message, file: file, line: line)
        XCTAssertEqual(f["user"], user, message, file: file, line: line)
    }

    func testFailedPasswordAttributesToTheLastFromPort() {
        assertClient("Failed password for invalid user root from 10.0.0.1 port 22 from 203.0.113.9 port 4711 ssh2",
                     .authFailed, client: "203.0.113.9", port: "4711", user: crafted)
        assertClient("Failed publickey for \(crafted) from 203.0.113.9 port 4711 ssh2: RSA SHA256:abc",
                     .authFailed, client: "203.0.113.9", port: "4711", user: crafted)
    }

    func testInvalidUser() {
        assertClient("Invalid user \(crafted) from 203.0.113.9 port 4711", .authInvalidUser,
                     client: "203.0.113.9", port: "4711", user: crafted)
    }

    func testAccepted() {
        assertClient("Accepted password for \(crafted) from 203.0.113.9 port 4711 ssh2", .authAccepted,
                     client: "203.0.113.9", port: "4711", user: crafted)
    }

    func testConnectionIdParsedFromTheRight() {
        assertClient("Connection closed by invalid user \(crafted) 203.0.113.9 port 4711 [preauth]", .connClosed,
                     client: "203.0.113.9", port: "4711", user: crafted)
        assertClient("Connection closed by authenticating user root 10.0.0.1 203.0.113.9 port 4711 [preauth]", .connClosed,
                     client: "203.0.113.9", port: "4711", user: "root 10.0.0.1")
        assertClient("Disconnected from invalid user \(crafted) 203.0.113.9 port 4711 [preauth]", .connDisconnected,
                     client: "203.0.113.9", port: "4711", user: crafted)
        assertClient("Disconnecting invalid user \(crafted) 203.0.113.9 port 4711: Too many authentication failures [preauth]",
                     .authMaxTries, client: "203.0.113.9", port: "4711", user: crafted)
    }

    func testPAMRhostIsNotMovedByTheUser() {
        let m = lib.match("sshd", "pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=203.0.113.9  user=\(crafted) rhost=10.0.0.1")
        XCTAssertEqual(m?.kind, .authPamFailure)
        XCTAssertEqual(m?.fields.client, "203.0.113.9")
        XCTAssertEqual(m?.fields.user, crafted + " rhost=10.0.0.1")
    }

    func testMaximumAuthenticationAttempts() {
        assertClient("error: maximum authentication attempts exceeded for invalid user \(crafted) from 203.0.113.9 port 4711 ssh2 [preauth]",
                     .authMaxTries, client: "203.0.113.9", port: "4711", user: crafted)
    }

    func testEmptyAndSpacedUserNames() {
        assertClient("Invalid user  from 203.0.113.9 port 4711", .authInvalidUser, client: "203.0.113.9", port: "4711", user: "")
        assertClient("Failed none for invalid user a b  c from 203.0.113.9 port 4711 ssh2", .authFailed,
                     client: "203.0.113.9", port: "4711", user: "a b  c")
    }

    func testUserNameWithPreauthSuffixDoesNotFakeAPhase() {
        // sshd appends [preauth] after the whole line; a user named "x [preauth]" stays in the user field
        // when the real suffix is there too.
        let m = lib.match("sshd", "Connection closed by invalid user x [preauth] 203.0.113.9 port 4711 [preauth]")
        XCTAssertEqual(m?.fields.client, "203.0.113.9")
        XCTAssertEqual(m?.fields.user, "x [preauth]")
        XCTAssertEqual(m?.fields.phase, "preauth")
    }

    func testOctalEscapedNamesAndIPv6() {
        assertClient("Invalid user \\303\\244 from 2001:db8::1 port 4711", .authInvalidUser,
                     client: "2001:db8::1", port: "4711", user: "\\303\\244")
    }

    /// Lines written by a real sshd (Debian OpenSSH 9.2p1, LogLevel VERBOSE, on 127.0.0.1:2222) for
    /// `ssh 'bogus user from 10.0.0.1 port 22'@127.0.0.1` and a PuTTY login as 'no such user'.
    func testLinesFromARealSSHDWithACraftedUserName() {
        assertClient("Invalid user bogus user from 10.0.0.1 port 22 from 127.0.0.1 port 33776", .authInvalidUser,
                     client: "127.0.0.1", port: "33776", user: "bogus user from 10.0.0.1 port 22")
        assertClient("Connection closed by invalid user bogus user from 10.0.0.1 port 22 127.0.0.1 port 33776 [preauth]", .connClosed,
                     client: "127.0.0.1", port: "33776", user: "bogus user from 10.0.0.1 port 22")
        assertClient("Failed keyboard-interactive/pam for invalid user no such user from 127.0.0.1 port 53607 ssh2", .authFailed,
                     client: "127.0.0.1", port: "53607", user: "no such user")
        assertClient("Postponed keyboard-interactive for invalid user no such user from 127.0.0.1 port 53607 ssh2 [preauth]", .authPostponed,
                     client: "127.0.0.1", port: "53607", user: "no such user")
        assertClient("PAM: Authentication failure for illegal user no such user from 127.0.0.1", .authPamFailure,
                     client: "127.0.0.1", port: nil, user: "no such user")
    }
}
