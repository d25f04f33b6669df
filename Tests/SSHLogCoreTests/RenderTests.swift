import XCTest
@testable import SSHLogCore

/// Renderers: hostile text stays inert in every format; JSON follows the documented schema.
final class RenderTests: XCTestCase {
    /// The writer escapes on UTF-8 bytes; `quote`, on Unicode scalars, is the reference (the
    /// writer's own escaper before it worked on bytes). Every escaped class, its neighbours, and
    /// invalid input repaired to U+FFFD.
    func testJSONWriterEscapesAsQuoteDoes() {
        var samples = ["", "plain", "a\"b\\c", "tab\there\nnew\rline", "\u{0}\u{1f}\u{7f}", "é → ✓ — ü",
                       "\u{80}\u{9f}\u{a0}\u{ff}", "\u{2027}\u{2028}\u{2029}\u{202a}\u{202e}\u{202f}",
                       "\u{2065}\u{2066}\u{2069}\u{206a}", "x\u{202e}gnp.exe", "🙂\u{2028}🙂",
                       String(decoding: [0x61, 0xFF, 0xC2, 0x62, 0xE2, 0x80], as: UTF8.self)]
        var rng: UInt64 = 0x9E37_79B9_7F4A_7C15
        let pieces = ["a", "\"", "\\", "\n", "\u{1}", "\u{7f}", "\u{85}", "é", "\u{2028}", "\u{202c}", "\u{2067}", "€", "🙂", " "]
        for _ in 0..<500 {
            var t = ""
            for _ in 0..<12 {
                rng ^= rng << 13; rng ^= rng >> 7; rng ^= rng << 17
                t += pieces[Int(rng % UInt64(pieces.count))]
            }
            samples.append(t)
        }
        for s in samples {
            var w = JSONWriter(pretty: false)
            w.string(nil, s)
            XCTAssertEqual(w.out, Self.quote(s), s.debugDescription)
        }
    }

    static func quote(_ s: String) -> String {
        var o = "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": o += "\\\""
            case "\\": o += "\\\\"
            case "\n": o += "\\n"
            case "\r": o += "\\r"
            case "\t": o += "\\t"
            default:
                let v = u.value
                if v < 0x20 || v == 0x7f || (v >= 0x80 && v < 0xa0) || v == 0x2028 || v == 0x2029
                    || (v >= 0x202a && v <= 0x202e) || (v >= 0x2066 && v <= 0x2069) {
                    let h = String(v, radix: 16)
                    o += "\\u" + String(repeating: "0", count: 4 - h.count) + h
                } else {
                    o.unicodeScalars.append(u)
                }
            }
        }
        return o + "\""
    }

    typealias T = Tagged

    /// A user name and a client version carrying terminal escapes (clear screen, set title, a C1
    /// CSI, a bidi override), as an attacker can send them.
    static let hostileUser = "root\u{1b}[2J\u{1b}]0;pwned\u{07}\u{9b}31m\u{202e}x"
    static let hostileVersion = "SSH-2.0-\u{1b}[31mEVIL\u{1b}[0m"

    func hostileReport() -> ExplainReport {
        let a = "203.0.113.66"
        var fields = ["user": RenderTests.hostileUser, "client": a, "port": "41000", "version": RenderTests.hostileVersion]
        let e1 = T.ev("00:01 sshd[5000]: Invalid user \(RenderTests.hostileUser) from \(a) port 41000", .authInvalidUser, fields, lineNo: 1)
        fields["invalid"] = "yes"
        let e2 = T.ev("00:02 sshd[5000]: Connection closed by invalid user \(RenderTests.hostileUser) \(a) port 41000 [preauth]", .connClosed, fields, lineNo: 2)
        let e3 = T.ev("00:03 fail2ban.actions[812]: NOTICE  [sshd] Ban \(a)", .f2bBan, ["jail": "sshd", "client": a], file: "fail2ban.log", lineNo: 9)
        let r = T.correlate([e1, e2, e3])
        return Explainer(window: "last 1h: test", inputs: "auth.log, fail2ban.log").report(r)
    }

    /// Every ESC in the output starts one of our own SGR sequences (`ESC [ digits m`).
    func assertOnlyOwnEscapes(_ s: String, file: StaticString = #filePath, line: UInt = #line) {
        let u = Array(s.unicodeScalars)
        var i = 0
        while i < u.count {
            let v = u[i].value
            if v == 0x1b {
                var j = i + 1
                XCTAssertTrue(j < u.count && u[j] == "[", "stray ESC", file: file, line: line)
                j += 1
                while j < u.count, u[j].properties.numericType != nil || u[j] == ";" { j += 1 }
                XCTAssertTrue(j < u.count && u[j] == "m", "ESC not an SGR", file: file, line: line)
                i = j
            } else {
                XCTAssertFalse((v < 0x20 && v != 0x0a) || v == 0x7f || (v >= 0x80 && v < 0xa0) || v == 0x202e,
                               "control U+\(String(v, radix: 16)) in output", file: file, line: line)
            }
            i += 1
        }
    }

    func testTextIsHarmlessWithAndWithoutColour() {
        let r = hostileReport()
        let plain = TextRenderer(style: Style(enabled: false)).render(r)
        XCTAssertFalse(plain.unicodeScalars.contains { $0.value == 0x1b })
        XCTAssertTrue(plain.contains("root\\x1b[2J\\x1b]0;pwned\\x07"), plain)
        XCTAssertTrue(plain.contains("SSH-2.0-\\x1b[31mEVIL"))
        assertOnlyOwnEscapes(plain)
        let coloured = TextRenderer(style: Style(enabled: true)).render(r)
        XCTAssertTrue(coloured.contains("\u{1b}[1m"))
        assertOnlyOwnEscapes(coloured)
        let timeline = TextRenderer(style: Style(enabled: true)).render(TimelineReport(r))
        assertOnlyOwnEscapes(timeline)
    }

    func testColourRule() {
        XCTAssertTrue(Style.decide(isTTY: true, noColor: nil))
        XCTAssertTrue(Style.decide(isTTY: true, noColor: ""))
        XCTAssertFalse(Style.decide(isTTY: true, noColor: "1"))
        XCTAssertFalse(Style.decide(isTTY: false, noColor: nil))
    }

    func testMarkdownIsInert() {
        let md = MarkdownRenderer.render(hostileReport())
        assertOnlyOwnEscapes(md)
        XCTAssertFalse(md.unicodeScalars.contains { $0.value == 0x1b })
        // Inline: metacharacters escaped.
        XCTAssertEqual(MarkdownRenderer.inline("a|b*c_`<script>"), "a\\|b\\*c\\_\\`\\<script\\>")
        // Fences outgrow backtick runs in the text.
        let f = MarkdownRenderer.fence(["x ```` y"])
        XCTAssertTrue(f.hasPrefix("`````text\n"), f)
        assertOnlyOwnEscapes(MarkdownRenderer.render(TimelineReport(hostileReport())))
    }

    func testJSONSchema() throws {
        let json = JSONRenderer.render(hostileReport())
        XCTAssertFalse(json.unicodeScalars.contains { $0.value == 0x1b }, "escapes must be \\u001b in JSON")
        let obj = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        XCTAssertEqual(obj["schema"] as? String, "sshlog.explain/1")
        let summary = try XCTUnwrap(obj["summary"] as? [String: Any])
        XCTAssertEqual(summary["clients"] as? Int, 1)
        XCTAssertEqual((summary["drops_by_cause"] as? [String: Any])?["invalid-user"] as? Int, 1)
        let clients = try XCTUnwrap(obj["clients"] as? [[String: Any]])
        XCTAssertEqual(clients[0]["address"] as? String, "203.0.113.66")
        XCTAssertEqual(clients[0]["causes"] as? [String], ["banned", "invalid-user"])
        XCTAssertEqual((clients[0]["users"] as? [String])?.first, RenderTests.hostileUser, "JSON keeps the exact text, escaped")
        let conn = try XCTUnwrap((clients[0]["connections"] as? [[String: Any]])?.first)
        for key in ["start", "end", "port", "user", "user_exists", "methods", "stage", "ended_by", "cause", "evidence"] {
            XCTAssertNotNil(conn[key], key)
        }
        XCTAssertEqual(conn["stage"] as? String, "auth")
        XCTAssertEqual(conn["client_version"] as? String, RenderTests.hostileVersion)
        let cause = try XCTUnwrap(conn["cause"] as? [String: Any])
        for key in ["id", "title", "confidence", "summary", "alternatives", "fix", "settle"] { XCTAssertNotNil(cause[key], key) }
        let ev = try XCTUnwrap((conn["evidence"] as? [[String: Any]])?.first)
        XCTAssertEqual(ev["location"] as? String, "auth.log:1")
        let start = try XCTUnwrap(conn["start"] as? String)
        XCTAssertEqual(start, "2026-11-22T10:00:01.000000Z")
        let tl = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(JSONRenderer.render(TimelineReport(hostileReport())).utf8)) as? [String: Any])
        XCTAssertEqual(tl["schema"] as? String, "sshlog.timeline/1")
        XCTAssertEqual((tl["entries"] as? [[String: Any]])?.map { $0["type"] as! String }, ["connection", "ban"])
    }

    func testTimeFormatting() {
        XCTAssertEqual(TimeText.rfc3339(0), "1970-01-01T00:00:00.000000Z")
        XCTAssertEqual(TimeText.rfc3339(951_782_400_000_001), "2000-02-29T00:00:00.000001Z")
        XCTAssertEqual(TimeText.rfc3339(-1), "1969-12-31T23:59:59.999999Z")
        XCTAssertEqual(TimeText.duration(125_000_000), "2m 05s")
        XCTAssertEqual(TimeText.dateTime(951_782_400_000_001), "2000-02-29 00:00:00")
        XCTAssertEqual(TimeText.dateTime(-1), "1969-12-31 23:59:59")
    }

    /// The byte-written stamps against the interpolated formulas they replaced, over every kind
    /// of value: both sides of the epoch, leap days, the ends of the four-digit years and
    /// outside them (where the formulas still answer).
    func testByteStampsEqualInterpolatedOnes() {
        func pad(_ v: Int, _ w: Int) -> String { let s = String(v); return s.count >= w ? s : String(repeating: "0", count: w - s.count) + s }
        func reference(_ micros: Int64) -> (String, String) {
            let sec = micros >= 0 ? micros / 1_000_000 : (micros - 999_999) / 1_000_000
            let us = Int(micros - sec * 1_000_000)
            let days = Int(sec >= 0 ? sec / 86400 : (sec - 86399) / 86400)
            let (y, m, d) = CivilTime.civilFromDays(days)
            let sod = Int(sec - Int64(days) * 86400)
            return ("\(pad(y, 4))-\(pad(m, 2))-\(pad(d, 2))T\(pad(sod / 3600, 2)):\(pad(sod / 60 % 60, 2)):\(pad(sod % 60, 2)).\(pad(us, 6))Z",
                    "\(pad(y, 4))-\(pad(m, 2))-\(pad(d, 2)) \(pad(sod / 3600, 2)):\(pad(sod / 60 % 60, 2)):\(pad(sod % 60, 2))")
        }
        var values: [Int64] = [0, -1, 1, 999_999, 1_000_000, -1_000_000, -1_000_001, 951_782_400_000_001,
                               253_402_300_799_999_999, 253_402_300_800_000_000, -62_167_219_200_000_000, -62_167_219_200_000_001]
        var x: UInt64 = 0x9E37_79B9_7F4A_7C15
        for _ in 0..<20_000 {
            x = x &* 6364136223846793005 &+ 1442695040888963407
            values.append(Int64(bitPattern: x) % 400_000_000_000_000_000)
        }
        for v in values {
            let (iso, human) = reference(v)
            XCTAssertEqual(TimeFormat.rfc3339UTC(v), iso, "\(v)")
            XCTAssertEqual(TimeText.dateTime(v), human, "\(v)")
        }
    }

    func testTaxonomyIsDocumented() throws {
        var url = URL(fileURLWithPath: #filePath)
        while url.path != "/" && !FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) {
            url.deleteLastPathComponent()
        }
        let doc = try String(contentsOf: url.appendingPathComponent("docs/causes.md"), encoding: .utf8)
        for c in CauseID.allCases {
            XCTAssertTrue(doc.contains("## `\(c.rawValue)`"), "docs/causes.md lacks a section for \(c.rawValue)")
        }
        let schema = try String(contentsOf: url.appendingPathComponent("docs/json-schema.md"), encoding: .utf8)
        XCTAssertTrue(schema.contains("sshlog.explain/1") && schema.contains("sshlog.timeline/1"))
    }
}
