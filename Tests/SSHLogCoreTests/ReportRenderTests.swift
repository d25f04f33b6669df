import Foundation
import XCTest
@testable import SSHLogCore

/// The report's formats through the real `sshlog report` command: escaping of hostile user
/// names in every format, the HTML's structure and its SVG bars against the JSON counts, the
/// 80-column text, exit codes and `--quiet-if-clean`.
final class ReportRenderTests: XCTestCase {
    static let fixtures = TestSupport.repoRoot.appendingPathComponent("Tests/Fixtures/report")
    static let samples = TestSupport.repoRoot.appendingPathComponent("samples")
    static let env = ["TZ": "UTC"]

    static let script = "<script>alert(1)</script>"
    static let img = "\"><img/src=x/onerror=alert(1)>"
    static let pipe = "a|b"
    static let link = "[x](http://evil.example)"
    static let esc = "ev\u{1b}[31mil"

    /// The real brute-force lines with the user renamed `<script>…`, plus invalid-user attempts
    /// (Debian 12 sshd wording) for the other hostile names.
    func hostileLog() throws -> (path: String, date: String) {
        let real = try String(contentsOf: Self.fixtures.appendingPathComponent("bruteforce-success.log"), encoding: .utf8)
        var text = real.replacingOccurrences(of: "sshlogbf", with: Self.script)
        let stamp = String(real.prefix(15))  // "Nov 22 05:44:01"
        for (i, name) in [Self.img, Self.pipe, Self.link, Self.esc].enumerated() {
            let pid = 30_000 + i, port = 40_000 + i
            text += "\(stamp) vm sshd[\(pid)]: Invalid user \(name) from 127.0.0.9 port \(port)\n"
            text += "\(stamp) vm sshd[\(pid)]: Failed password for invalid user \(name) from 127.0.0.9 port \(port) ssh2\n"
            text += "\(stamp) vm sshd[\(pid)]: Connection closed by invalid user \(name) 127.0.0.9 port \(port) [preauth]\n"
        }
        let dir = TestSupport.tempDir("sshlog-report")
        let url = TestSupport.write(text, to: dir.appendingPathComponent("auth.log"))
        let run = try TestSupport.plan([url.path])
        let first = TestSupport.records(run).first!.time
        return (url.path, String(TimeText.rfc3339(first).prefix(10)))
    }

    func python(_ args: [String]) throws -> (Int32, String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["python3"] + args
        let out = Pipe()
        p.standardOutput = out
        p.standardError = out
        try p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    func testHostileUserNamesStayInertInHTML() throws {
        let (log, date) = try hostileLog()
        let dir = TestSupport.tempDir("sshlog-report")
        let html = dir.appendingPathComponent("r.html").path, json = dir.appendingPathComponent("r.json").path
        let a = try TestSupport.sshlog(["report", "--date", date, "--format", "html", "--output", html, log], env: Self.env)
        XCTAssertEqual(a.status, 1, "the brute force needs attention: \(a.stderr)")
        let b = try TestSupport.sshlog(["report", "--date", date, "--format", "json", "--output", json, log], env: Self.env)
        XCTAssertEqual(b.status, 1, b.stderr)
        let raw = try String(contentsOfFile: html, encoding: .utf8)
        XCTAssertFalse(raw.lowercased().contains("<script"), "no script element")
        XCTAssertFalse(raw.lowercased().contains("<img"), "no img element")
        XCTAssertFalse(raw.contains("\u{1b}"), "no raw ESC")
        let (status, out) = try python([Self.fixtures.appendingPathComponent("check-html.py").path, html, json])
        XCTAssertEqual(status, 0, out)
        XCTAssertTrue(out.hasPrefix("ok "), out)
        // The names survive as text (what a reader sees), not as markup.
        let text = out.components(separatedBy: "TEXT:").last ?? ""
        XCTAssertTrue(text.contains(Self.script), "the <script> user name is shown as text")
        XCTAssertTrue(text.contains(Self.img), "the <img> user name is shown as text")
        XCTAssertTrue(text.contains("ev\\x1b[31mil"), "ESC is shown escaped")
        // The JSON carries the raw names, escaped as JSON.
        let obj = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: json))) as! [String: Any]
        let attention = obj["attention"] as! [[String: Any]]
        XCTAssertEqual(attention.first?["kind"] as? String, "brute-force-success")
        XCTAssertEqual(attention.first?["user"] as? String, Self.script)
        let users = ((obj["noise"] as! [String: Any])["top_users"] as! [[String: Any]]).map { $0["name"] as! String }
        XCTAssertTrue(users.contains(Self.img) && users.contains(Self.esc), "\(users)")
    }

    func testSamplesHTMLBarsMatchJSON() throws {
        guard FileManager.default.fileExists(atPath: Self.samples.appendingPathComponent("auth.log").path) else {
            throw XCTSkip("samples/ is absent (merge main)")
        }
        let dir = TestSupport.tempDir("sshlog-report")
        let html = dir.appendingPathComponent("r.html").path, json = dir.appendingPathComponent("r.json").path
        for (fmt, path) in [("html", html), ("json", json)] {
            let r = try TestSupport.sshlog(["report", "--date", "2026-11-22", "--format", fmt, "--output", path, Self.samples.path], env: Self.env)
            XCTAssertEqual(r.status, 1, "MaxStartups shedding needs attention: \(r.stderr)")
        }
        let (status, out) = try python([Self.fixtures.appendingPathComponent("check-html.py").path, html, json])
        XCTAssertEqual(status, 0, out)
        // 23 connections in the 05:00 bucket: the bars add up to it.
        let obj = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: json))) as! [String: Any]
        let buckets = obj["buckets"] as! [[String: Any]]
        XCTAssertEqual(buckets.count, 24)
        XCTAssertEqual(buckets[5]["connections"] as? Int, (obj["totals"] as! [String: Any])["connections"] as? Int)
        let rects = try NSRegularExpression(pattern: "data-bucket=\"5\"[^>]*data-count=\"([0-9]+)\"")
        let raw = try String(contentsOfFile: html, encoding: .utf8)
        let sum = rects.matches(in: raw, range: NSRange(raw.startIndex..., in: raw)).reduce(0) {
            $0 + Int(raw[Range($1.range(at: 1), in: raw)!])!
        }
        XCTAssertEqual(sum, buckets[5]["connections"] as? Int)
        XCTAssertFalse(raw.contains("http://") && raw.contains("src="), "no external assets")
    }

    func testMarkdownTablesAndTextColumns() throws {
        let (log, date) = try hostileLog()
        let md = try TestSupport.sshlog(["report", "--date", date, "--format", "markdown", log], env: Self.env)
        XCTAssertEqual(md.status, 1)
        for line in md.stdout.split(separator: "\n") where line.hasPrefix("|") {
            // Unescaped pipes delimit cells: every row of the top-user table has 5 of them.
            var cells = 0, prev: Character = " "
            for ch in line { if ch == "|" && prev != "\\" { cells += 1 }; prev = ch }
            if line.contains("127.0.0.") || line.contains("alert") || line.contains("a\\|b") {
                XCTAssertEqual(cells, 5, "row broke its table: \(line)")
            }
        }
        // Every '<' is backslash-escaped (CommonMark then shows it as text, never as HTML).
        var prev: Character = " "
        for ch in md.stdout {
            if ch == "<" { XCTAssertEqual(prev, "\\", "unescaped '<' in the Markdown") }
            prev = ch
        }
        XCTAssertTrue(md.stdout.contains("\\<script\\>alert"))
        XCTAssertFalse(md.stdout.contains("](http"), "no link from a user name")
        XCTAssertTrue(md.stdout.contains("a\\|b"))

        let text = try TestSupport.sshlog(["report", "--date", date, log], env: Self.env)
        XCTAssertEqual(text.status, 1)
        XCTAssertFalse(text.stdout.contains("\u{1b}"), "no raw ESC in the mail")
        XCTAssertTrue(text.stdout.contains("ev\\x1b[31mil"))
        XCTAssertTrue(text.stdout.contains("NEEDS ATTENTION (1)"))
        XCTAssertTrue(text.stdout.contains("! Possible brute-force success: \(Self.script) from 127.0.0.1"))
        for line in text.stdout.split(separator: "\n", omittingEmptySubsequences: false) {
            XCTAssertLessThanOrEqual(line.count, 80, "too wide: \(line)")
        }
    }

    func testExitCodesAndQuietIfClean() throws {
        let history = ["history.log", "history-fail2ban.log"].map { Self.fixtures.appendingPathComponent($0).path }
        // 2026-11-20 has logins but no history before it: nothing needs attention.
        let clean = try TestSupport.sshlog(["report", "--date", "2026-11-20"] + history, env: Self.env)
        XCTAssertEqual(clean.status, 0, clean.stderr)
        XCTAssertTrue(clean.stdout.contains("Nothing needs attention."))
        let quiet = try TestSupport.sshlog(["report", "--date", "2026-11-20", "--quiet-if-clean"] + history, env: Self.env)
        XCTAssertEqual(quiet.status, 0)
        XCTAssertEqual(quiet.stdout, "")
        // 2026-11-21: a root login and more need attention; --quiet-if-clean still prints.
        let loud = try TestSupport.sshlog(["report", "--date", "2026-11-21", "--quiet-if-clean"] + history, env: Self.env)
        XCTAssertEqual(loud.status, 1)
        XCTAssertTrue(loud.stdout.contains("! Root login: root from 192.0.2.10"))
        // A day without SSH activity.
        let empty = try TestSupport.sshlog(["report", "--date", "2026-11-24", "--format", "html"] + history, env: Self.env)
        XCTAssertEqual(empty.status, 0)
        XCTAssertTrue(empty.stdout.contains("No SSH activity was logged in this period."))
        // Bad arguments.
        let bad = try TestSupport.sshlog(["report", "--date", "21/11/2026"] + history, env: Self.env)
        XCTAssertEqual(bad.status, 64)
        XCTAssertTrue(bad.stderr.contains("YYYY-MM-DD"), bad.stderr)
        let both = try TestSupport.sshlog(["report", "--date", "2026-11-21", "--since", "1h"] + history, env: Self.env)
        XCTAssertEqual(both.status, 64)
    }
}
