import Foundation
import XCTest
@testable import SSHLogCore

/// Opt-in throughput comparison (run by `Tests/Fixtures/journal/bench-journal.sh`, which makes the
/// journal files and sets SSHLOG_JOURNAL_BENCH to their directory; use a release build). No wall-clock assert:
/// it prints figures, and checks only that both readers saw the same sshd entries.
final class JournalBenchTests: XCTestCase {
    func now() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }

    /// Best of `n` runs of `body`, in seconds.
    func best(_ n: Int, _ body: () throws -> Void) rethrows -> Double {
        var best = Double.infinity
        for _ in 0..<n {
            let t0 = now()
            try body()
            best = min(best, now() - t0)
        }
        return best
    }

    func read(_ files: [String], _ matches: JournalMatches) throws -> (entries: Int, bytes: Int) {
        let source = try JournalSource(.files(files), matches: matches, diagnostics: Diagnostics(echo: false))
        var n = 0, bytes = 0
        while source.next() {
            n += 1
            bytes &+= source.record.message.count
        }
        return (n, bytes)
    }

    func testThroughputAgainstJournalctl() throws {
        guard let dir = ProcessInfo.processInfo.environment["SSHLOG_JOURNAL_BENCH"] else {
            throw XCTSkip("opt-in benchmark: run Tests/Fixtures/journal/bench-journal.sh (sets SSHLOG_JOURNAL_BENCH)")
        }
        let files = try JournalFiles.list(directory: dir)
        var sshdLines = 0
        let journalctl = try best(3) {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: "/usr/bin/journalctl")
            p.arguments = files.flatMap { ["--file", $0] } + ["-t", "sshd", "-o", "cat"]
            p.standardOutput = FileHandle(forWritingAtPath: "/dev/null")
            try p.run()
            p.waitUntilExit()
            XCTAssertEqual(p.terminationStatus, 0)
        }
        var sshd = (entries: 0, bytes: 0), all = (entries: 0, bytes: 0)
        let oursSSHD = try best(3) { sshd = try read(files, JournalMatches(["SYSLOG_IDENTIFIER=sshd"])) }
        let oursAll = try best(3) { all = try read(files, .sshlog) }
        // journalctl's line count (outside the timing): both readers saw the same sshd entries.
        let counted = try JournalFixtures.run("/usr/bin/journalctl", files.flatMap { ["--file", $0] } + ["-t", "sshd", "-o", "cat"])
        sshdLines = counted.stdout.utf8.reduce(0) { $0 + ($1 == 0x0A ? 1 : 0) }
        XCTAssertEqual(sshdLines, sshd.entries)

        func rate(_ n: Int, _ s: Double) -> String { String(format: "%.0f entries/s", Double(n) / s) }
        print("journal-bench: \(files.count) files in \(dir)")
        print("journal-bench: journalctl --file F… -t sshd -o cat > /dev/null: \(String(format: "%.3f", journalctl)) s, \(rate(sshdLines, journalctl))")
        print("journal-bench: JournalSource, SYSLOG_IDENTIFIER=sshd:           \(String(format: "%.3f", oursSSHD)) s, \(rate(sshd.entries, oursSSHD)), ratio \(String(format: "%.2f", journalctl / oursSSHD))x journalctl")
        print("journal-bench: JournalSource, sshlog's matches (\(all.entries) entries): \(String(format: "%.3f", oursAll)) s, \(rate(all.entries, oursAll)), ratio \(String(format: "%.2f", (Double(all.entries) / oursAll) / (Double(sshdLines) / journalctl)))x journalctl's entries/s")
        XCTAssertGreaterThan(sshdLines, 0)
        XCTAssertGreaterThanOrEqual(all.entries, sshd.entries)
    }
}
