import XCTest
@testable import SSHLogCore

/// Regressions found by the scenario lab, each on the real lines of the run that showed it.
final class RegressionTests: XCTestCase {
    static let dir = TestSupport.repoRoot.appendingPathComponent("Tests/Fixtures/regressions")

    func explain(_ file: String, sshd: SSHDSettings = SSHDSettings()) throws -> ExplainReport {
        let run = try TestSupport.plan([RegressionTests.dir.appendingPathComponent(file).path])
        var o = Correlator.Options()
        o.sshd = sshd
        let result = ExplainRun.correlate(run, library: PatternLibrary.builtin(), options: o)
        return Explainer(window: run.windowDescription, inputs: run.inputsDescription, client: nil, user: nil, limit: nil).report(result)
    }

    /// Lab run of 2026-11-22 05:38: sshd and its session processes got SIGTERM together; both
    /// session monitors wrote their PAM close in the second before the listener wrote
    /// "Received signal 15; terminating." The sessions were ended by the stop, not by the client.
    func testSessionsClosedJustBeforeTheListenersSignalAreARestart() throws {
        let r = try explain("restart-race.log")
        let s = try XCTUnwrap(r.clients.first { $0.address == "127.0.0.24" })
        XCTAssertEqual(s.connections.count, 2)
        for c in s.connections {
            XCTAssertEqual(c.cause?.id, .serverRestart, "\(c.port ?? 0)")
        }
    }

    /// Lab samples, client 127.0.0.16 (`GET / HTTP/1.0` to the SSH port): Debian's 9.2 writes the
    /// kex_exchange_identification error and then `banner exchange: … invalid format` from the
    /// same process. One connection, not two.
    func testBannerErrorAndBannerExchangeLineAreOneConnection() throws {
        let r = try explain("banner-two-lines.log")
        let s = try XCTUnwrap(r.clients.first { $0.address == "127.0.0.16" })
        XCTAssertEqual(s.connections.count, 1)
        XCTAssertEqual(s.connections.first?.cause?.id, .bannerFailure)
        XCTAssertEqual(s.connections.first?.evidence.count, 3)
    }
}
