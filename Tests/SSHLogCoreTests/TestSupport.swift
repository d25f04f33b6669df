import Foundation
import XCTest
@testable import SSHLogCore

/// Shared helpers for the tests: temporary files, the built `sshlog` binary, the corpora.
enum TestSupport {
    /// The repository root (two levels above this file's folder).
    static let repoRoot: URL = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    /// `../shared/corpora` beside the repository, or nil (tests then skip, saying so).
    static var corpora: URL? {
        let u = repoRoot.deletingLastPathComponent().appendingPathComponent("shared/corpora")
        return FileManager.default.fileExists(atPath: u.path) ? u : nil
    }

    static func requireCorpora(file: StaticString = #filePath, line: UInt = #line) throws -> URL {
        guard let c = corpora else {
            throw XCTSkip("../shared/corpora is absent: the corpus tests are skipped (they read the corpora in place, never from a copy)")
        }
        return c
    }

    /// A fresh temporary directory, removed at process exit is not needed: the OS cleans /tmp.
    static func tempDir(_ name: String = "sshlog-test") -> URL {
        let u = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("\(name)-\(UUID().uuidString)")
        try! FileManager.default.createDirectory(at: u, withIntermediateDirectories: true)
        return u
    }

    @discardableResult
    static func write(_ text: String, to url: URL, mtime: Date? = nil) -> URL {
        try! Data(text.utf8).write(to: url)
        if let mtime { try! FileManager.default.setAttributes([.modificationDate: mtime], ofItemAtPath: url.path) }
        return url
    }

    /// The `sshlog` executable built beside the test bundle.
    static var sshlogBinary: URL {
        var dir = Bundle.main.bundleURL
        for b in Bundle.allBundles where b.bundlePath.hasSuffix(".xctest") { dir = b.bundleURL.deletingLastPathComponent() }
        return dir.appendingPathComponent("sshlog")
    }

    struct Result { var status: Int32; var stdout: String; var stderr: String }

    /// Runs `sshlog` with arguments (and optional standard input), waiting at most `timeout` s.
    static func sshlog(_ args: [String], stdin: String? = nil, env: [String: String] = [:], timeout: TimeInterval = 120,
                       asUser: String? = nil) throws -> Result {
        let p = Process()
        if let asUser {
            p.executableURL = URL(fileURLWithPath: "/usr/bin/setpriv")
            p.arguments = ["--reuid=\(asUser)", "--regid=nogroup", "--clear-groups", sshlogBinary.path] + args
        } else {
            p.executableURL = sshlogBinary
            p.arguments = args
        }
        var e = ProcessInfo.processInfo.environment
        e["NO_COLOR"] = "1"
        for (k, v) in env { e[k] = v }
        p.environment = e
        let out = Pipe(), err = Pipe(), inp = Pipe()
        p.standardOutput = out
        p.standardError = err
        p.standardInput = inp
        try p.run()
        if let stdin { inp.fileHandleForWriting.write(Data(stdin.utf8)) }
        try? inp.fileHandleForWriting.close()
        final class Box: @unchecked Sendable { var data = Data() }
        let o = Box(), r = Box()
        let g = DispatchGroup()
        g.enter(); DispatchQueue.global().async { o.data = out.fileHandleForReading.readDataToEndOfFile(); g.leave() }
        g.enter(); DispatchQueue.global().async { r.data = err.fileHandleForReading.readDataToEndOfFile(); g.leave() }
        if g.wait(timeout: .now() + timeout) == .timedOut { p.terminate(); XCTFail("sshlog \(args) timed out") }
        p.waitUntilExit()
        return Result(status: p.terminationStatus, stdout: String(decoding: o.data, as: UTF8.self), stderr: String(decoding: r.data, as: UTF8.self))
    }

    /// Local civil time → µs UTC under the current TZ.
    static func micros(_ y: Int, _ mo: Int, _ d: Int, _ h: Int, _ mi: Int, _ s: Int, utc: Bool = false) -> Int64 {
        let naive = CivilTime.utcSeconds(y, mo, d, h, mi, s)
        return (utc ? naive : LocalZone().utc(fromNaive: naive)) * 1_000_000
    }

    /// Every record of a run, copied out.
    static func records(_ run: IngestRun) -> [(time: Int64, host: String, program: String, pid: Int32, message: String, location: SourceLocation)] {
        var out: [(Int64, String, String, Int32, String, SourceLocation)] = []
        run.forEachRecord { r, s in out.append((r.time, r.hostString, r.programString, r.pid, r.messageString, s.location())) }
        return out.map { (time: $0.0, host: $0.1, program: $0.2, pid: $0.3, message: $0.4, location: $0.5) }
    }

    static func plan(_ paths: [String], since: String? = nil, until: String? = nil, now: Int64? = nil,
                     diagnostics: Diagnostics = Diagnostics(echo: false)) throws -> IngestRun {
        var r = InputRequest()
        r.paths = paths
        r.since = since
        r.until = until
        r.now = now
        return try IngestRun.plan(r, diagnostics: diagnostics)
    }

    static func setTZ(_ tz: String) {
        setenv("TZ", tz, 1)
        tzset()
    }
}
