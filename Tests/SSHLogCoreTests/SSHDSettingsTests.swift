import XCTest
@testable import SSHLogCore

/// sshd_config reading: the lab's real config, first-value-wins, Match ends the global section.
final class SSHDSettingsTests: XCTestCase {
    func testTheLabsConfig() throws {
        let path = TestSupport.repoRoot.appendingPathComponent("samples/config/sshd_config").path
        let (s, err) = SSHDSettings.load(path: path)
        XCTAssertNil(err)
        XCTAssertEqual(s.loginGraceTime, 20_000_000)
        XCTAssertEqual(s.clientAliveInterval, 2)
        XCTAssertEqual(s.clientAliveCountMax, 2)
        XCTAssertTrue(s.maxStartups == (3, 100, 3))
        XCTAssertEqual(s.logLevel, "VERBOSE")
        XCTAssertEqual(s.source, path)
    }

    func testFirstValueWinsAndMatchEndsTheGlobalSection() {
        let s = SSHDSettings.parse("""
        # comment
        LoginGraceTime 2m
        logingracetime 5
        ClientAliveInterval=300
        Match User deploy
            ClientAliveInterval 10
            MaxStartups 1:1:1
        """)
        XCTAssertEqual(s.loginGraceTime, 120_000_000)
        XCTAssertEqual(s.clientAliveInterval, 300)
        XCTAssertTrue(s.maxStartups == (10, 30, 100), "defaults kept")
        XCTAssertTrue(s.maxStartupsMeaning.contains("once 10 connections"))
    }

    func testMissingFileGivesDefaultsAndSaysSo() {
        let (s, err) = SSHDSettings.load(path: "/nonexistent/sshd_config")
        XCTAssertEqual(s, SSHDSettings())
        XCTAssertTrue(err?.description.contains("using sshd's defaults") ?? false)
    }
}
