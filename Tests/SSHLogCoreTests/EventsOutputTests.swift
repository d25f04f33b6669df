import Foundation
import XCTest
@testable import SSHLogCore

/// `sshlog events` output on its fast paths (bulk copies found eight bytes at a time, fields written
/// from their bytes, stamps written in place) against the straightforward rendering the printer
/// had before — per-byte escaping, `EventFields.pairs`, `Sanitizer.terminal`, `TimeFormat` — kept
/// here as the reference. Inputs are real sshd lines carrying what an attacker can put in a user
/// name or a disconnect reason: escape sequences, invalid UTF-8, tabs, DEL, C1 controls, bidi
/// overrides, quotes, long lines.
final class EventsOutputTests: XCTestCase {
    // MARK: - Capturing what an OutputWriter writes

    /// Runs `body` with an OutputWriter on an unlinked temporary file; returns the bytes written.
    static func capture(_ body: (OutputWriter) -> Void) -> [UInt8] {
        var template = Array("/tmp/sshlog-out-XXXXXX".utf8CString)
        let fd = mkstemp(&template)
        precondition(fd >= 0, "mkstemp failed")
        unlink(template)
        defer { close(fd) }
        do {
            let out = OutputWriter(fd: fd)
            body(out)
            out.flush()
        }
        let size = Int(lseek(fd, 0, SEEK_END))
        var bytes = [UInt8](repeating: 0, count: size)
        var off = 0
        while off < size {
            let n = bytes.withUnsafeMutableBytes { pread(fd, $0.baseAddress! + off, size - off, off_t(off)) }
            precondition(n > 0, "pread failed")
            off += n
        }
        return bytes
    }

    static func show(_ b: [UInt8]) -> String { String(decoding: b, as: UTF8.self) }

    // MARK: - The reference: the printer as it was before the fast paths

    enum Reference {
        static let hex = Array("0123456789abcdef".utf8)

        static func terminalSafe(_ s: [UInt8]) -> [UInt8] {
            var o: [UInt8] = []
            func esc(_ b: UInt8) { o += [0x5C, 0x78, hex[Int(b >> 4)], hex[Int(b & 15)]] }
            var i = 0
            while i < s.count {
                let b = s[i]
                if b >= 0x20 && b < 0x7F { o.append(b); i += 1; continue }
                let len = s.withUnsafeBytes { OutputWriter.utf8SequenceLength($0, i) }
                if len > 0 {
                    let scalar = String(decoding: s[i..<(i + len)], as: UTF8.self).unicodeScalars.first!.value
                    if len == 2 && b == 0xC2 && s[i + 1] < 0xA0 {
                        esc(b); esc(s[i + 1])
                    } else if (0x2028...0x202E).contains(scalar) || (0x2066...0x2069).contains(scalar) {
                        o += Array("\\u{\(String(scalar, radix: 16))}".utf8)
                    } else {
                        o += s[i..<(i + len)]
                    }
                    i += len
                } else {
                    esc(b)
                    i += 1
                }
            }
            return o
        }

        static func jsonString(_ s: [UInt8]) -> [UInt8] {
            var o: [UInt8] = []
            var i = 0
            while i < s.count {
                let b = s[i]
                if b >= 0x20 && b < 0x7F {
                    if b == 0x22 || b == 0x5C { o.append(0x5C) }
                    o.append(b)
                    i += 1
                } else if b < 0x20 || b == 0x7F {
                    switch b {
                    case 0x0A: o += Array("\\n".utf8)
                    case 0x09: o += Array("\\t".utf8)
                    case 0x0D: o += Array("\\r".utf8)
                    default: o += Array("\\u00".utf8) + [hex[Int(b >> 4)], hex[Int(b & 15)]]
                    }
                    i += 1
                } else {
                    let len = s.withUnsafeBytes { OutputWriter.utf8SequenceLength($0, i) }
                    if len == 0 { o += [0xEF, 0xBF, 0xBD]; i += 1; continue }
                    // C1 controls and the line and bidi controls, as `JSONWriter` escapes them.
                    let v = String(decoding: s[i..<(i + len)], as: UTF8.self).unicodeScalars.first!.value
                    if (0x80...0x9F).contains(v) || (0x2028...0x202E).contains(v) || (0x2066...0x2069).contains(v) {
                        let h = String(v, radix: 16)
                        o += Array(("\\u" + String(repeating: "0", count: 4 - h.count) + h).utf8)
                    } else {
                        o += s[i..<(i + len)]
                    }
                    i += len
                }
            }
            return o
        }

        /// `Sanitizer.terminal` as it was: scalar by scalar.
        static func sanitize(_ s: String) -> String {
            var out = ""
            for u in s.unicodeScalars {
                if Sanitizer.isUnsafe(u) {
                    out += u.value < 0x100 ? "\\x" + Sanitizer.hex2(UInt8(u.value)) : "\\u{" + String(u.value, radix: 16) + "}"
                } else {
                    out.unicodeScalars.append(u)
                }
            }
            return out
        }

        static func bytes(_ r: UnsafeRawBufferPointer) -> [UInt8] { Array(r) }

        /// The stamp as the printer made it: the String formatter's output cut at the fraction.
        static func stamp(_ t: Int64, local: Bool) -> [UInt8] {
            let sec = t >= 0 ? t / 1_000_000 : (t - 999_999) / 1_000_000
            let full = Array((local ? TimeFormat.rfc3339Local(sec * 1_000_000) : TimeFormat.rfc3339UTC(sec * 1_000_000)).utf8)
            var us = Int(t - sec * 1_000_000)
            var digits = [UInt8](repeating: 0, count: 6)
            for i in stride(from: 5, through: 0, by: -1) { digits[i] = UInt8(0x30 + us % 10); us /= 10 }
            return Array(full[0..<20]) + digits + (local ? Array(full[26...]) : Array("Z".utf8))
        }

        static func text(_ r: SyslogRecord, _ tag: TaggedEvent?) -> [UInt8] {
            if r.malformed { return Array("(no header) ".utf8) + terminalSafe(bytes(r.line)) + [0x0A] }
            var o = stamp(r.time, local: true) + [0x20]
            if !r.hostRange.isEmpty { o += terminalSafe(bytes(r.host)) + [0x20] }
            o += terminalSafe(bytes(r.program))
            if r.pid >= 0 { o += Array("[\(r.pid)]".utf8) }
            o += Array(": ".utf8) + terminalSafe(bytes(r.message))
            if let tag {
                o += Array("  ⟨\(tag.kind.rawValue)".utf8)
                for (k, v) in tag.fields.pairs { o += Array(" \(k)=".utf8) + Array(sanitize(v).utf8) }
                if tag.spoofed { o += Array(" SPOOFED".utf8) }
                o += Array("⟩".utf8)
            }
            return o + [0x0A]
        }

        static func json(_ r: SyslogRecord, _ loc: SourceLocation, _ tag: TaggedEvent?) -> [UInt8] {
            var o = Array("{\"time\":\"".utf8) + stamp(r.time, local: false)
            o += Array("\",\"ts\":\(r.time),\"host\":\"".utf8) + jsonString(bytes(r.host))
            o += Array("\",\"program\":\"".utf8) + jsonString(bytes(r.program))
            o += Array((r.pid >= 0 ? "\",\"pid\":\(r.pid),\"message\":\"" : "\",\"pid\":null,\"message\":\"").utf8)
            o += jsonString(bytes(r.message))
            o += Array("\",\"source\":\"".utf8) + jsonString(Array(loc.source.utf8)) + Array("\",\"line\":\(loc.line)".utf8)
            if let c = loc.cursor { o += Array(",\"cursor\":\"".utf8) + jsonString(Array(c.utf8)) + Array("\"".utf8) }
            if r.malformed { o += Array(",\"malformed\":true".utf8) }
            if let tag {
                o += Array(",\"kind\":\"\(tag.kind.rawValue)\",\"pattern\":\"".utf8) + jsonString(Array(tag.patternID.utf8))
                o += Array("\",\"fields\":{".utf8)
                var first = true
                for (k, v) in tag.fields.pairs {
                    if !first { o.append(UInt8(ascii: ",")) }
                    first = false
                    o += Array("\"\(k)\":\"".utf8) + jsonString(Array(v.utf8)) + Array("\"".utf8)
                }
                o += Array("}".utf8)
                if tag.spoofed { o += Array(",\"spoofed\":true".utf8) }
            }
            return o + Array("}\n".utf8)
        }
    }

    // MARK: - Escapers: every special byte at every offset of the eight-byte words

    /// Bytes and sequences that must leave the bulk-copy path, and some that must not.
    static let specials: [[UInt8]] = [
        [0x00], [0x01], [0x09], [0x0A], [0x0D], [0x1B], [0x1F], [0x20], [0x21], [0x22], [0x5C], [0x7E], [0x7F],
        [0x80], [0x9B], [0xBF], [0xC0, 0xAF], [0xC2], [0xC2, 0x85], [0xC2, 0x9B], [0xC2, 0x9F], [0xC2, 0xA0], [0xC3, 0xA9],
        [0xE2, 0x80, 0xAE], [0xE2, 0x80, 0xA8], [0xE2, 0x82], [0xED, 0xA0, 0x80], [0xE0, 0x80, 0x80],
        [0xF0, 0x9F, 0x98, 0x80], [0xF4, 0x90, 0x80, 0x80], [0xFE], [0xFF],
    ]

    func testEscapersMatchTheReferenceAtEveryOffset() {
        for special in Self.specials {
            for len in 0...40 {
                for pos in 0...len {
                    var s = [UInt8](repeating: UInt8(ascii: "a"), count: len)
                    s.insert(contentsOf: special, at: pos)
                    let t = Self.capture { out in s.withUnsafeBytes { out.writeTerminalSafe($0) } }
                    XCTAssertEqual(t, Reference.terminalSafe(s), "terminal: \(special) at \(pos) of \(len)")
                    let j = Self.capture { out in s.withUnsafeBytes { out.writeJSONString($0) } }
                    XCTAssertEqual(j, Reference.jsonString(s), "json: \(special) at \(pos) of \(len)")
                }
            }
        }
    }

    func testEscapersMatchTheReferenceOnRandomBytes() {
        var seed: UInt64 = 0x5EED
        func next() -> UInt64 { seed = seed &* 6364136223846793005 &+ 1442695040888963407; return seed >> 33 }
        for _ in 0..<3000 {
            let n = Int(next() % 120)
            var s: [UInt8] = []
            for _ in 0..<n {
                // Mostly printable ASCII, as log text is; the rest anything.
                s.append(next() % 4 == 0 ? UInt8(truncatingIfNeeded: next()) : UInt8(0x20 + next() % 95))
            }
            let t = Self.capture { out in s.withUnsafeBytes { out.writeTerminalSafe($0) } }
            XCTAssertEqual(t, Reference.terminalSafe(s), "terminal: \(s)")
            let j = Self.capture { out in s.withUnsafeBytes { out.writeJSONString($0) } }
            XCTAssertEqual(j, Reference.jsonString(s), "json: \(s)")
        }
    }

    func testEscapedOutputHasNoControlsAndStaysValidJSON() {
        let s: [UInt8] = Array("ab\u{1b}]0;t\u{07}c\td\u{7f}".utf8) + [0xC2, 0x9B, 0x33, 0x31, 0x6D, 0xFF, 0x22, 0x5C]
        let t = Self.capture { out in s.withUnsafeBytes { out.writeTerminalSafe($0) } }
        XCTAssertEqual(Self.show(t), "ab\\x1b]0;t\\x07c\\x09d\\x7f\\xc2\\x9b31m\\xff\"\\")
        XCTAssertFalse(t.contains { $0 < 0x20 || $0 == 0x7F })
        let j = Self.capture { out in s.withUnsafeBytes { out.writeJSONString($0) } }
        // C1 CSI escaped too, as in explain's JSON: no raw control of any kind reaches a terminal.
        XCTAssertEqual(Self.show(j), "ab\\u001b]0;t\\u0007c\\td\\u007f\\u009b31m\u{fffd}\\\"\\\\")
        let doc = Array("[\"".utf8) + j + Array("\"]".utf8)
        let parsed = try? JSONSerialization.jsonObject(with: Data(doc)) as? [String]
        XCTAssertEqual(parsed?.first, String(decoding: s, as: UTF8.self))
    }

    func testLongRunsLargerThanTheBufferAndEscapesAcrossFlushes() {
        // 200 000 plain bytes (more than the 64 KiB buffer: written directly), then escapes spread
        // so that flushes fall between and inside escape sequences.
        var s = [UInt8](repeating: UInt8(ascii: "x"), count: 200_000)
        for k in stride(from: 0, to: 150_000, by: 997) { s[k] = 0x1B; s[k + 1] = 0xC2; s[k + 2] = 0x9B; s[k + 3] = 0xFF }
        let t = Self.capture { out in
            out.write("head " as StaticString)
            s.withUnsafeBytes { out.writeTerminalSafe($0) }
            s.withUnsafeBytes { out.writeJSONString($0) }
        }
        XCTAssertEqual(t, Array("head ".utf8) + Reference.terminalSafe(s) + Reference.jsonString(s))
    }

    func testDecimalsAreSpelledAsStringDoes() {
        let values: [Int64] = [0, 1, 9, 10, 99, 100, -1, -9, -10, 4711, 65535, 1_763_800_000_123_456, -1_000_001,
                               Int64.max, Int64.min, Int64(Int32.max), Int64(Int32.min)]
        let got = Self.capture { out in for v in values { out.writeDecimal(v); out.byte(0x20) } }
        XCTAssertEqual(Self.show(got), values.map { String($0) + " " }.joined())
    }

    func testSanitizerFastPathKeepsPlainTextAndEscapesTheRest() {
        XCTAssertEqual(Sanitizer.terminal("deploy"), "deploy")
        XCTAssertEqual(Sanitizer.terminal(""), "")
        XCTAssertEqual(Sanitizer.terminal("0123456789abcdef~ !"), "0123456789abcdef~ !")
        for s in ["abcdefgh\u{1b}", "abcdefg\u{7f}", "a\tb", "x\u{9b}y", "bidi\u{202e}x", "é", "ls\u{2028}sep", "abcdefghijklmnop\u{0}"] {
            XCTAssertEqual(Sanitizer.terminal(s), Reference.sanitize(s), s)
        }
    }

    // MARK: - Time stamps

    func testStampsMatchTheStringFormattersAcrossZonesAndDSTChanges() {
        let saved = getenv("TZ").map { String(cString: $0) }
        defer { if let saved { TestSupport.setTZ(saved) } else { unsetenv("TZ"); tzset() } }
        var times: [Int64] = [0, -1, -999_999, -1_000_000, -1_000_001, 1, 999_999, 1_000_000,
                              -62_135_596_800 * 1_000_000,            // 0001-01-01: four digits, zero-padded
                              -62_135_596_800 * 1_000_000 - 1,        // year 0
                              -62_198_755_200 * 1_000_000 - 5,        // before year 0: the String path
                              253_402_300_799 * 1_000_000 + 999_999,  // 9999-12-31T23:59:59
                              253_402_300_800 * 1_000_000 + 7]        // year 10000: the String path
        // Around the 2026 DST changes of Berlin, New York, Lord Howe (30-minute DST) and St John's
        // (a half-hour zone), and Monrovia's 1972 change from -0:44:30, at 00:44:30 UTC (not on a
        // minute: the stamp writer asks for the offset once a minute when it holds all minute),
        // second by second; then a sweep over the year.
        for change: Int64 in [1_774_746_000, 1_792_890_000, 1_772_953_200, 1_793_512_800, 1_775_314_800, 1_791_041_400,
                            1_772_947_800, 1_793_507_400, 63_593_070] {
            for d: Int64 in -3_700 ... 3_700 where d % 50 == 0 || abs(d) < 4 { times.append((change + d) * 1_000_000 + 123_456) }
        }
        for k in 0..<2000 { times.append(Int64(1_767_225_600 + k * 15_791) * 1_000_000 + Int64(k * 7919 % 1_000_000)) }
        for tz in ["UTC", "Europe/Berlin", "America/New_York", "Asia/Kolkata", "Australia/Lord_Howe", "America/St_Johns",
                   "Africa/Monrovia"] {
            TestSupport.setTZ(tz)
            let local = StampWriter(local: true), utc = StampWriter(local: false)
            var want: [UInt8] = []
            let got = Self.capture { out in
                for t in times {
                    local.write(t, to: out); out.byte(0x20); utc.write(t, to: out); out.byte(0x0A)
                    want += Reference.stamp(t, local: true) + [0x20] + Reference.stamp(t, local: false) + [0x0A]
                }
            }
            XCTAssertEqual(Self.show(got), Self.show(want), tz)
        }
    }

    // MARK: - Whole records: real lines through ingest and tagging

    /// Real sshd, PAM and fail2ban lines around hostile values.
    static func hostileLines() -> [[UInt8]] {
        let values: [[UInt8]] = [
            Array("ev\u{1b}[31mil".utf8), Array("tab\tuser".utf8), Array("del\u{7f}user".utf8), [0x63, 0x31, 0xC2, 0x9B, 0x75],
            [0x62, 0x61, 0x64, 0xFF, 0x75], [0x74, 0x72, 0xE2, 0x82], Array("bidi\u{202e}user".utf8), Array("ls\u{2028}x".utf8),
            Array("q\"b\\s".utf8), Array("emoji😀x".utf8), [0x6F, 0xC0, 0xAF, 0x6C], [0x73, 0xED, 0xA0, 0x80, 0x67],
            Array("nul\u{0}b".utf8), Array("cr\rx".utf8), Array("été".utf8), [0x6C, 0x80, 0x63], [0x63, 0x32, 0xC2],
            [UInt8](repeating: 0x78, count: 300), Array("deploy".utf8), Array("a".utf8),
        ]
        var lines: [[UInt8]] = []
        for (i, v) in values.enumerated() {
            let ts = Array(String(format: "Nov 15 05:06:%02d bastion ", 10 + i).utf8)
            let sshd = Array("sshd[\(100 + i)]: ".utf8)
            func line(_ parts: [UInt8]...) -> [UInt8] { parts.reduce(ts, +) }
            lines.append(line(sshd, Array("Invalid user ".utf8), v, Array(" from 2001:db8::\(i) port \(40000 + i)".utf8)))
            lines.append(line(sshd, Array("Failed password for invalid user ".utf8), v, Array(" from 10.0.0.\(i) port \(40000 + i) ssh2".utf8)))
            lines.append(line(sshd, Array("Accepted publickey for ".utf8), v, Array(" from 10.0.0.\(i) port 22 ssh2: ED25519 SHA256:a".utf8), v))
            lines.append(line(sshd, Array("Disconnected from invalid user ".utf8), v, Array(" 10.0.0.\(i) port \(40000 + i) [preauth]".utf8)))
            lines.append(line(sshd, Array("Received disconnect from 10.0.0.\(i) port \(40000 + i):11: ".utf8), v, Array(" [preauth]".utf8)))
            lines.append(line(sshd, Array("error: kex_exchange_identification: banner line contains invalid characters".utf8)))
            lines.append(line(sshd, Array("Unable to negotiate with 10.0.0.\(i) port 22: no matching host key type found. Their offer: ".utf8), v, Array(" [preauth]".utf8)))
            lines.append(line(Array("sshd[\(i)]: pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=10.0.0.\(i)  user=".utf8), v))
            lines.append(line(Array("fail2ban.actions[77]: NOTICE  [sshd] Ban 10.0.0.\(i)".utf8)))
            lines.append(line(Array("pro".utf8), v, Array("g[\(i)]: raw ".utf8), v))
            lines.append(line(Array("sshd: no pid ".utf8), v))
            lines.append(Array("no header at all \u{1b}]0;t\u{07} ".utf8) + v)
        }
        // Headers the text format does not print byte for byte (it copies plain lines whole from
        // the host on): a pid with leading zeros, one that wraps, none in brackets, no space after
        // the colon, two spaces or one before the bracket, no host; and the plain form beside them.
        for head in ["bastion sshd[0042]: ", "bastion sshd[6442450943]: ", "bastion sshd[]: ", "bastion sshd:",
                     "bastion  sshd[42]: ", "bastion sshd [42]: ", "sshd[42]: ", "bastion sshd[42]:  ", "bastion sshd[42]: "] {
            lines.append(Array("Nov 15 05:07:01 \(head)Invalid user deploy from 10.0.0.1 port 22".utf8))
        }
        // Host names to escape, between and after plain ones (JSON Lines keeps the last host and
        // program escaped: a change must be seen).
        for host in ["q\"host", "bastion", "b\u{1b}[2Jad", "bastion", "bastion2", "été", "bastion"] {
            lines.append(Array("Nov 15 05:07:02 \(host) sshd[7]: Invalid user deploy from 10.0.0.1 port 22".utf8))
            lines.append(Array("Nov 15 05:07:02 \(host) sshd-session[7]: Invalid user deploy from 10.0.0.1 port 22".utf8))
        }
        // Long lines: a 70 000-byte message, and a user name of 10 000 escapes.
        lines.append(Array("Nov 15 05:07:00 bastion sshd[1]: ".utf8) + [UInt8](repeating: 0x41, count: 70_000))
        lines.append(Array("Nov 15 05:07:00 bastion sshd[1]: Invalid user ".utf8) + Array(repeating: [0x42, 0x1B], count: 5000).flatMap { $0 }
                     + Array(" from 1.2.3.4 port 5".utf8))
        return lines
    }

    /// Prints every record of `lines` (ingested from a file, tagged by the built-in library) with
    /// the printer and with the reference; returns both.
    func render(_ lines: [[UInt8]], format: EventsPrinter.Format) throws -> (got: [UInt8], want: [UInt8], tagged: Int) {
        let dir = TestSupport.tempDir("events-output")
        let path = dir.appendingPathComponent("auth.log").path
        try Data(lines.map { $0 + [0x0A] }.flatMap { $0 }).write(to: URL(fileURLWithPath: path))
        let lib = PatternLibrary.builtin()
        let src = try FileRecordSource(file: try InputFile.inspect(path), diagnostics: Diagnostics(echo: false))
        var want: [UInt8] = []
        var tagged = 0
        let got = Self.capture { out in
            let printer = EventsPrinter(format: format, out: out)
            while src.next() {
                let r = src.record
                let tag = r.malformed ? nil : lib.tag(r, location: { src.location() })
                if tag != nil { tagged += 1 }
                let loc = tag?.location ?? src.location()
                printer.print(r, location: loc, tag: tag)
                want += format == .text ? Reference.text(r, tag) : Reference.json(r, loc, tag)
            }
        }
        return (got, want, tagged)
    }

    func testTextRecordsMatchTheReference() throws {
        let (got, want, tagged) = try render(Self.hostileLines(), format: .text)
        XCTAssertGreaterThan(tagged, 100, "the hostile lines are real sshd lines: most are tagged")
        XCTAssertEqual(Self.show(got), Self.show(want))
        XCTAssertEqual(got, want)
        // Nothing that moves a terminal: no C0 control but the line ends, no DEL, no C1 (as UTF-8).
        for (i, b) in got.enumerated() {
            XCTAssertFalse((b < 0x20 && b != 0x0A) || b == 0x7F, "control byte \(b) at \(i)")
            if b == 0xC2, i + 1 < got.count { XCTAssertFalse(got[i + 1] >= 0x80 && got[i + 1] < 0xA0, "C1 control at \(i)") }
        }
        let text = Self.show(got)
        XCTAssertTrue(text.contains("Invalid user ev\\x1b[31mil from 2001:db8::0 port 40000  ⟨auth.invalid-user client=2001:db8::0 port=40000 user=ev\\x1b[31mil invalid=yes⟩"), text)
        XCTAssertTrue(text.contains("user=c1\\x9bu "), "a C1 control in a field is one escape")
        XCTAssertTrue(text.contains("Invalid user c1\\xc2\\x9bu from"), "in the message, its two bytes")
        XCTAssertTrue(text.contains("user=bad\u{fffd}u "), "invalid UTF-8 in a field becomes U+FFFD")
        XCTAssertTrue(text.contains("user=bidi\\u{202e}user "), "a bidi override in a field is escaped")
        XCTAssertTrue(text.contains("Invalid user bidi\\u{202e}user from"), "and in the message, the same way")
        XCTAssertTrue(text.contains("Invalid user ls\\u{2028}x from"), "a line separator in the message is escaped")
        XCTAssertTrue(text.contains("user=tab\\x09user "))
    }

    func testJSONRecordsMatchTheReferenceAndParse() throws {
        let (got, want, _) = try render(Self.hostileLines(), format: .jsonl)
        XCTAssertEqual(Self.show(got), Self.show(want))
        XCTAssertEqual(got, want)
        var records = 0
        for line in got.split(separator: 0x0A) {
            let obj = try JSONSerialization.jsonObject(with: Data(line)) as? [String: Any]
            XCTAssertNotNil(obj?["message"], Self.show(Array(line)))
            records += 1
        }
        XCTAssertEqual(records, Self.hostileLines().count)
        XCTAssertTrue(Self.show(got).contains("\"fields\":{\"client\":\"2001:db8::0\",\"port\":\"40000\",\"user\":\"ev\\u001b[31mil\",\"invalid\":\"yes\"}"))
        // Inert on a terminal, as explain's JSON: no C1 control (C2 80–9F) and no line or bidi
        // control (E2 80 A8–AE, E2 81 A6–A9) is written raw; each is a \uXXXX escape, which
        // decodes to the same text.
        for i in got.indices.dropLast(2) {
            XCTAssertFalse(got[i] == 0xC2 && got[i + 1] >= 0x80 && got[i + 1] <= 0x9F, "raw C1 control at \(i)")
            XCTAssertFalse(got[i] == 0xE2 && ((got[i + 1] == 0x80 && got[i + 2] >= 0xA8 && got[i + 2] <= 0xAE)
                                             || (got[i + 1] == 0x81 && got[i + 2] >= 0xA6 && got[i + 2] <= 0xA9)),
                           "raw line or bidi control at \(i)")
        }
        let text = Self.show(got)
        XCTAssertTrue(text.contains("\"user\":\"bidi\\u202euser\""), "U+202E in a user name is escaped")
        XCTAssertTrue(text.contains("\"user\":\"c1\\u009bu\""), "C1 CSI in a user name is escaped")
        let decoded = try got.split(separator: 0x0A).compactMap { try JSONSerialization.jsonObject(with: Data($0)) as? [String: Any] }
        XCTAssertTrue(decoded.contains { ($0["fields"] as? [String: Any])?["user"] as? String == "bidi\u{202e}user" })
    }

    func testFieldsHeldAsStringsNumbersAndExtrasMatchThePairs() throws {
        // Fields assigned as Strings (not ranges of the message), `seconds`, and an admin's own
        // fields (written in sorted order), in both formats.
        var f = EventFields()
        f.set("client", "203.0.113.9")
        f.set("port", "4711")
        f.set("user", "r\u{1b}[2Joot\u{9b}")
        f.set("invalid", "yes")
        f.set("seconds", "1.5")
        f.set("pid", "-3")
        f.set("signal", "15")
        f.set("zeta", "z\u{7f}")
        f.set("alpha", "a\"b")
        f.set("count", "x12")
        let line = Array("Nov 15 05:06:10 bastion sshd[7]: Invalid user x from 203.0.113.9 port 4711".utf8)
        let tag = TaggedEvent(time: 0, host: "bastion", program: "sshd", pid: 7, kind: .authInvalidUser, patternID: "test.\u{1b}id",
                              fields: f, message: "", location: SourceLocation(source: "a\"b.log", line: 3, cursor: "s=1;i=\u{1}"), spoofed: true)
        try line.withUnsafeBytes { raw in
            let parser = HeaderParser(years: YearResolver(anchorUTC: 1_763_800_000))
            let r = try XCTUnwrap(parser.parse(raw, lineNumber: 1))
            let text = Self.capture { out in EventsPrinter(format: .text, out: out).print(r, location: tag.location, tag: tag) }
            XCTAssertEqual(Self.show(text), Self.show(Reference.text(r, tag)))
            XCTAssertTrue(Self.show(text).hasSuffix("user=r\\x1b[2Joot\\x9b invalid=yes seconds=1.5 pid=-3 signal=15 alpha=a\"b count=x12 zeta=z\\x7f SPOOFED⟩\n"),
                          Self.show(text))
            let json = Self.capture { out in EventsPrinter(format: .jsonl, out: out).print(r, location: tag.location, tag: tag) }
            XCTAssertEqual(Self.show(json), Self.show(Reference.json(r, tag.location, tag)))
            XCTAssertNotNil(try JSONSerialization.jsonObject(with: Data(json)) as? [String: Any])
        }
    }

    func testRepeatedPiecesAreKeptPerPatternNumberAndKind() {
        var t = SnippetTable()
        defer { t.free() }
        XCTAssertNil(t.bytes(5, kind: .authFailed))
        t.set(5, kind: .authFailed, Array("  ⟨auth.failed".utf8))
        XCTAssertEqual(t.bytes(5, kind: .authFailed).map { Array($0) }, Array("  ⟨auth.failed".utf8))
        // The same number made for another kind (another library) is not reused.
        XCTAssertNil(t.bytes(5, kind: .connClosed))
        XCTAssertNil(t.bytes(4, kind: .authFailed))
        t.set(5, kind: .connClosed, Array("  ⟨conn.closed".utf8))
        XCTAssertEqual(t.bytes(5, kind: .connClosed).map { Array($0) }, Array("  ⟨conn.closed".utf8))
        // Growing keeps what was there; numbers outside 0..<65 536 keep nothing.
        t.set(3000, kind: .authFailed, [])
        XCTAssertEqual(t.bytes(3000, kind: .authFailed)?.count, 0)
        XCTAssertEqual(t.bytes(5, kind: .connClosed).map { Array($0) }, Array("  ⟨conn.closed".utf8))
        t.set(65_536, kind: .authFailed, [1]); t.set(-1, kind: .authFailed, [1])
        XCTAssertNil(t.bytes(65_536, kind: .authFailed))
        XCTAssertNil(t.bytes(-1, kind: .authFailed))
    }
}
