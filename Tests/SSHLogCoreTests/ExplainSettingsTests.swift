import XCTest
@testable import SSHLogCore

/// The server's sshd_config in the diagnosis and the advice, on the lab's samples (real logs).
final class ExplainSettingsTests: XCTestCase {
    func explainSamples(_ settings: SSHDSettings) throws -> ExplainReport {
        let samples = TestSupport.repoRoot.appendingPathComponent("samples").path
        let run = try TestSupport.plan([samples + "/auth.log", samples + "/auth.log.1", samples + "/auth.log.2.gz", samples + "/fail2ban.log"])
        var o = Correlator.Options()
        o.sshd = settings
        let result = ExplainRun.correlate(run, library: PatternLibrary.builtin(), options: o)
        var ex = Explainer(window: run.windowDescription, inputs: run.inputsDescription, limit: nil)
        ex.sshd = settings
        return ex.report(result)
    }

    func fix(_ r: ExplainReport, _ address: String, _ cause: CauseID) -> String? {
        r.clients.first { $0.address == address }?.connections.compactMap(\.cause).first { $0.id == cause }?.fix
    }

    func testAdviceQuotesTheServersValues() throws {
        let path = TestSupport.repoRoot.appendingPathComponent("samples/config/sshd_config").path
        let (settings, err) = SSHDSettings.load(path: path)
        XCTAssertNil(err)
        let r = try explainSamples(settings)
        let ms = try XCTUnwrap(fix(r, "127.0.0.12", .maxstartups))
        XCTAssertTrue(ms.hasSuffix("This server (\(path)): MaxStartups 3:100:3 means: once 3 connections are waiting to authenticate, refuse 100% of new ones, rising to all of them at 3."), ms)
        let idle = try XCTUnwrap(fix(r, "127.0.0.15", .idleTimeout))
        XCTAssertTrue(idle.contains("ClientAliveInterval 2 × ClientAliveCountMax 2 = 4 s"), idle)
        let grace = try XCTUnwrap(fix(r, "127.0.0.14", .loginGraceTimeout))
        XCTAssertTrue(grace.contains("LoginGraceTime 20 s"), grace)
    }

    func testDefaultsAreNotPresentedAsTheServers() throws {
        let r = try explainSamples(SSHDSettings())
        let ms = try XCTUnwrap(fix(r, "127.0.0.12", .maxstartups))
        XCTAssertFalse(ms.contains("This server"), ms)
    }
}
